import { EXIT } from './exit.js';
import { HELP, QUIET, parse, type Options, type Parsed } from './flags.js';
import type { CliIo } from './io.js';

/** What each environment variable lamina (or the AWS SDK on its behalf) reads does. */
export const ENV_DOC = {
  AWS_PROFILE: 'the profile without --profile',
  AWS_REGION: 'the region without --region',
  AWS_DEFAULT_REGION: 'the region without --region or AWS_REGION',
  AWS_ENDPOINT_URL: 'every endpoint without --endpoint-url',
  'AWS_ENDPOINT_URL_<SERVICE>': 'one service: LAMBDA, STS, SIGNER, S3, ECR',
  AWS_CONFIG_FILE: 'shared config file (default ~/.aws/config)',
  AWS_SHARED_CREDENTIALS_FILE: 'credentials file (~/.aws/credentials)',
  'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN':
    'credentials; the SDK chain reads the rest',
  XDG_CACHE_HOME: 'cache in $XDG_CACHE_HOME/lamina (or --cache-dir)',
  LAMINA_DEBUG: 'when set, errors print their stack trace',
  MALLOC_ARENA_MAX: 'kept when set; else 2 (Linux, Node 22.15+)',
} as const;

export type EnvVar = keyof typeof ENV_DOC;

/** What every command reads. */
export const BASE_ENV: readonly EnvVar[] = ['LAMINA_DEBUG'];

/** What commands that call AWS read (with {@link BASE_ENV}). */
export const AWS_ENV: readonly EnvVar[] = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_<SERVICE>',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN',
  'XDG_CACHE_HOME',
  ...BASE_ENV,
];

/**
 * What `scan`, `verify` (for `--all`) and `diff` (for two scan results) read: {@link AWS_ENV}, and
 * glibc's arena count they start with (src/cli/arenas.ts; `changes` and `merge` start with it
 * too).
 */
export const ESTATE_ENV: readonly EnvVar[] = [...AWS_ENV, 'MALLOC_ARENA_MAX'];

/** A flag as help shows it: `--name` (`-n, --name`), with VALUE when it takes one. */
function flagText(name: string, def: Options[string]): string {
  const short = def.short !== undefined ? `-${def.short}, ` : '';
  return `${short}--${name}${def.type === 'string' ? ' VALUE' : ''}${def.multiple ? ' ...' : ''}`;
}

/**
 * The help text: the usage, every flag the usage does not spell out (so help never hides a
 * flag the command takes), then the environment variables the command reads.
 */
export function helpText(usage: string, flags: Options, env: readonly EnvVar[]): string {
  const unlisted = Object.entries(flags)
    .filter(([name]) => !new RegExp(`--${name}(?![\\w-])`).test(usage))
    .map(([name, def]) => flagText(name, def));
  const more = unlisted.length > 0 ? `\n\nalso:\n  ${unlisted.join('\n  ')}` : '';
  // Names up to 30 columns share one column; a longer one goes on a line of its own.
  const width = Math.max(0, ...env.filter((e) => e.length <= 30).map((e) => e.length));
  const lines = env.map((e) =>
    e.length > 30
      ? `  ${e}\n  ${' '.repeat(width + 2)}${ENV_DOC[e]}`
      : `  ${e.padEnd(width)}  ${ENV_DOC[e]}`
  );
  return `${usage}${more}\n\nenvironment:\n${lines.join('\n')}`;
}

/** A command as main() runs it: the arguments after its name in, an exit code out. */
export type Command = ((argv: string[], io: CliIo) => Promise<number>) & {
  /** Its usage text, every flag it takes and the environment it reads (for help and tests). */
  readonly spec: { usage: string; flags: Options; env: readonly EnvVar[] };
};

/**
 * A command from its usage text, its flags and its body. The body gets the parsed flags (an
 * unknown flag is a usage error) and is flags → options → one pipeline call → render → exit
 * code; `-h`/`--help` prints the usage and the environment variables instead. Every command
 * takes `-h` and `-q`/`--quiet`.
 */
export function command<O extends Options>(
  usage: string,
  flags: O,
  body: (args: Parsed<O & typeof QUIET>, io: CliIo) => Promise<number>,
  env: readonly EnvVar[] = BASE_ENV
): Command {
  const all = { ...QUIET, ...flags, ...HELP };
  const run = async (argv: string[], io: CliIo): Promise<number> => {
    const args = parse(argv, all);
    if ((args.values as { help?: boolean }).help) {
      io.stdout.write(helpText(usage, all, env) + '\n');
      return EXIT.OK;
    }
    return body(args, io);
  };
  return Object.assign(run, { spec: { usage, flags: all, env } });
}
