/**
 * Command-line flags: parsing with our error type, and every flag group more than one command
 * takes (archive limits, AWS access, estate scope, pin entry), each defined once with the one
 * function that turns it into pipeline options.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import type { AwsOptions } from '../fetch/aws/clients.js';
import type { LayerFacts } from '../model/evidence.js';
import { parseScanRef, SCAN_REF_FORMS } from '../history/scan-ref.js';
import type { ImageScope, InventoryImageOptions } from '../pipeline/image.js';
import { isImageInput } from '../pipeline/image-input.js';
import type { Limits } from '../unpack/source.js';
import { parseExpiry } from '../verify/policy/expiry.js';
import type { Pin } from '../verify/policy/types.js';
import type { ImageFacts, ImageSourceOptions } from '../pipeline/verify-image.js';
import type { VerdictRenderOptions } from '../report/verdicts.js';
import type { CliIo } from './io.js';

/** Flag definitions as `node:util` parseArgs takes them. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs returns for those definitions. */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** parseArgs with our error type: an unknown flag is a usage error (exit 2), not a crash. */
export function parse<O extends Options>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: err instanceof Error ? err.message : String(err),
    });
  }
}

/** `-h`/`--help`, on every command. */
export const HELP = {
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/** `-q`/`--quiet`, on every command: nothing on stderr but errors. */
export const QUIET = {
  quiet: { type: 'boolean', short: 'q', default: false },
} as const satisfies Options;

/** A flag whose value must be one of a list (`--format`). */
export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag} must be one of ${allowed.join(', ')}`,
    });
  }
  return value as T;
}

/** Flags that change the archive limits; shared by every command that reads layers. */
export const LIMITS = {
  'max-entries': { type: 'string' },
  'max-total-size': { type: 'string' },
  'max-ratio': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-file-size': { type: 'string' },
  'max-nested-size': { type: 'string' },
  'max-rehash-size': { type: 'string' },
} as const satisfies Options;

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parse `123`, `64k`, `512M`, `2G` (binary units). */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a size: ${JSON.stringify(text)}`,
    });
  return Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
}

function parseCount(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a whole number: ${JSON.stringify(text)}`,
    });
  }
  return Number(text);
}

/** The limits the flags set; the pipeline keeps the default of every other. */
export function limits(
  values: Partial<Record<keyof typeof LIMITS, string | undefined>>
): Partial<Limits> {
  const l: Partial<Limits> = {};
  if (values['max-entries'] !== undefined)
    l.maxEntries = parseCount('max-entries', values['max-entries']);
  if (values['max-total-size'] !== undefined)
    l.maxTotalSize = parseSize('max-total-size', values['max-total-size']);
  if (values['max-ratio'] !== undefined) l.maxRatio = parseCount('max-ratio', values['max-ratio']);
  if (values['max-depth'] !== undefined) l.maxDepth = parseCount('max-depth', values['max-depth']);
  if (values['max-file-size'] !== undefined)
    l.maxFileSize = parseSize('max-file-size', values['max-file-size']);
  if (values['max-nested-size'] !== undefined)
    l.maxNestedSize = parseSize('max-nested-size', values['max-nested-size']);
  if (values['max-rehash-size'] !== undefined)
    l.maxRehashSize = parseSize('max-rehash-size', values['max-rehash-size']);
  return l;
}

/** A whole number of at least 1 (`--concurrency`, `--page-size`, `--max-attempts`). */
export function positiveInt(flag: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text.trim())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a positive whole number: ${JSON.stringify(text)}`,
    });
  }
  return Number(text);
}

/** `--since`, `--until`: a recorded scan's id or an ISO 8601 date, checked before a database opens. */
export function scanRef(flag: string, text: string): string {
  if (parseScanRef(text) === undefined)
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not ${SCAN_REF_FORMS}: ${JSON.stringify(text)}`,
    });
  return text;
}

/** How to reach AWS API endpoints (`pin`, and with {@link AWS} every AWS command). */
export const AWS_API = {
  profile: { type: 'string' },
  'endpoint-url': { type: 'string' },
  'max-attempts': { type: 'string', default: '8' },
  'connect-timeout': { type: 'string', default: '60' },
  'read-timeout': { type: 'string', default: '60' },
} as const satisfies Options;

/** Seconds (`60`, `2.5`), as the AWS CLI's `--cli-connect-timeout` takes them; in ms. */
export function seconds(flag: string, text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n > 0)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--${flag}: not a positive number of seconds: ${JSON.stringify(text)}`,
    });
  }
  return Math.round(n * 1000);
}

/** `--endpoint-url`: an http(s) URL with a host and no credentials in it. */
export function endpointUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--endpoint-url: not an http:// or https:// URL with a host: ${JSON.stringify(text)}`,
    });
  }
  if (url.username || url.password) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: '--endpoint-url: credentials in the URL would be sent to the endpoint; remove them',
    });
  }
  return text;
}

/** `--role-arn`: an IAM role ARN (any partition). */
export function roleArn(text: string): string {
  if (!/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(text)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--role-arn: not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME): ${JSON.stringify(text)}`,
    });
  }
  return text;
}

/** Every `--role-arn`, checked. */
export function roleArns(values: string[] | undefined): string[] {
  return (values ?? []).map(roleArn);
}

/** {@link AWS_API} and the content cache, for commands that download layers. */
export const AWS = {
  ...AWS_API,
  'cache-dir': { type: 'string' },
  'rehash-cache': { type: 'boolean', default: false },
} as const satisfies Options;

/** The pipeline's AWS access options from {@link AWS} (or {@link AWS_API}). */
export function aws(values: {
  profile?: string | undefined;
  'endpoint-url'?: string | undefined;
  'max-attempts': string;
  'connect-timeout': string;
  'read-timeout': string;
  'cache-dir'?: string | undefined;
  'rehash-cache'?: boolean | undefined;
  'role-arn'?: string[] | undefined;
}): { aws: AwsOptions; cacheDir?: string; rehashCache?: boolean } {
  // Checked here so every command taking roles refuses a malformed one before any call.
  roleArns(values['role-arn']);
  return {
    aws: {
      maxAttempts: positiveInt('max-attempts', values['max-attempts']),
      connectTimeoutMs: seconds('connect-timeout', values['connect-timeout']),
      readTimeoutMs: seconds('read-timeout', values['read-timeout']),
      ...(values['endpoint-url'] !== undefined
        ? { endpointUrl: endpointUrl(values['endpoint-url']) }
        : {}),
      ...(values.profile ? { profile: values.profile } : {}),
    },
    ...(values['cache-dir'] !== undefined ? { cacheDir: values['cache-dir'] } : {}),
    ...(values['rehash-cache'] ? { rehashCache: true } : {}),
  };
}

/** Where an image comes from and how its registry is reached. */
const IMAGE_SOURCE_FLAGS = {
  platform: { type: 'string' },
  'registry-auth': { type: 'string' },
  'insecure-registry': { type: 'string', multiple: true },
} as const satisfies Options;

/** How a container image is read (`sbom IMAGE`, and every command that takes an image). */
export const IMAGE = {
  ...IMAGE_SOURCE_FLAGS,
  scope: { type: 'string', default: 'squashed' },
  'max-image-size': { type: 'string' },
  'max-image-entries': { type: 'string' },
} as const satisfies Options;

/** The help lines for {@link IMAGE}. */
export const IMAGE_HELP = `Image flags (IMAGE is oci:DIR[:REF|@sha256:…], a directory holding oci-layout,
docker-archive:FILE, or HOST/REPO[:TAG|@sha256:…] from a registry):
  --platform OS/ARCH[/VARIANT]  which image of an index            (default linux/amd64)
  --registry-auth FILE          Docker config.json-style credentials (default: Docker's own)
  --insecure-registry HOST      allow plain http to HOST (repeatable; loopback always may)
  --scope squashed|all-layers   all-layers also lists what later layers removed
  --max-image-size SIZE         most uncompressed bytes of all layers (default 10G)
  --max-image-entries N         most entries in a layer and in the image (default 1000000)
ECR registries get a token through the AWS flags.`;

const SCOPES: readonly ImageScope[] = ['squashed', 'all-layers'];

/** The {@link IMAGE} flags given on the command line (a non-default `--scope` counts). */
export function imageFlagsGiven(values: Record<string, unknown>): string[] {
  return Object.keys(IMAGE).filter((k) =>
    k === 'scope' ? values[k] !== IMAGE.scope.default : values[k] !== undefined
  );
}

/** The pipeline's image options from {@link IMAGE}. */
export function image(values: {
  platform?: string | undefined;
  'registry-auth'?: string | undefined;
  'insecure-registry'?: string[] | undefined;
  scope: string;
  'max-image-size'?: string | undefined;
  'max-image-entries'?: string | undefined;
}): Pick<
  InventoryImageOptions,
  'platform' | 'registryAuth' | 'insecureRegistries' | 'scope' | 'imageLimits'
> {
  const imageLimits: NonNullable<InventoryImageOptions['imageLimits']> = {};
  if (values['max-image-size'] !== undefined)
    imageLimits.maxImageBytes = parseSize('max-image-size', values['max-image-size']);
  if (values['max-image-entries'] !== undefined)
    imageLimits.maxImageEntries = positiveInt('max-image-entries', values['max-image-entries']);
  return {
    scope: oneOf('scope', values.scope, SCOPES),
    imageLimits,
    ...(values.platform !== undefined ? { platform: values.platform } : {}),
    ...(values['registry-auth'] !== undefined ? { registryAuth: values['registry-auth'] } : {}),
    ...(values['insecure-registry'] ? { insecureRegistries: values['insecure-registry'] } : {}),
  };
}

/**
 * `scan`'s output directory: `--output-dir`, else the old spelling `--out` (with a notice),
 * else `./lamina-scan`. `-o` names the report file in every command, so an `-o` naming an
 * existing directory is refused with a pointer to `--output-dir`.
 */
export async function outputDir(
  values: {
    'output-dir'?: string | undefined;
    out?: string | undefined;
    output?: string | undefined;
    quiet?: boolean | undefined;
  },
  io: CliIo
): Promise<string> {
  if (values.output !== undefined && (await isDirectory(values.output))) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `-o names the report file; for the output directory use --output-dir ${values.output}`,
    });
  }
  if (values.out !== undefined && !values.quiet)
    io.stderr.write('lamina: --out is now --output-dir (the old spelling still works)\n');
  return values['output-dir'] ?? values.out ?? 'lamina-scan';
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** How verdicts are reported (`verify`, `gate`). */
export const REPORT = {
  format: { type: 'string', default: 'text' },
  verbose: { type: 'boolean', short: 'v', default: false },
  'sarif-category': { type: 'string' },
} as const satisfies Options;

/**
 * The report options from {@link REPORT}: the policy path as SARIF and the text report name it
 * (relative to the working directory, POSIX separators, when inside it), the local input zip,
 * and `automationDetails.id` (`--sarif-category`, default `lamina/<command>/`).
 */
export function reportOptions(
  cmd: string,
  values: { verbose: boolean; 'sarif-category'?: string | undefined },
  policy: string,
  input: string | undefined
): VerdictRenderOptions {
  const category = values['sarif-category'] ?? `lamina/${cmd}/`;
  if (!/^[\w.@/-]+$/.test(category)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--sarif-category: letters, digits and . _ - @ / only: ${JSON.stringify(category)}`,
    });
  }
  return {
    verbose: values.verbose,
    policyPath: repoPath(policy),
    ...(input !== undefined ? { inputPath: repoPath(input) } : {}),
    // GitHub reads the id as category/run-id: a trailing slash keeps it a category.
    automationId: category.endsWith('/') ? category : `${category}/`,
  };
}

function repoPath(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(path) : rel.split(sep).join('/');
}

/** Which accounts and regions, and how many requests at once (`scan`, `verify`). */
export const ESTATE = {
  region: { type: 'string', multiple: true },
  'role-arn': { type: 'string', multiple: true },
  concurrency: { type: 'string', default: '4' },
} as const satisfies Options;

/**
 * The region when no `--region` names one, as the AWS CLI finds it: `AWS_REGION`, else
 * `AWS_DEFAULT_REGION`, else the profile's `region` (through the SDK's loader); possibly none.
 * @throws UsageError when the profile is not defined
 */
export async function defaultRegion(profile: string | undefined): Promise<string | undefined> {
  const fromEnv = process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'];
  if (fromEnv) return fromEnv;
  // Loaded here, not with the flags: only AWS commands read a profile.
  const { profileRegion } = await import('../fetch/aws/clients.js');
  return profileRegion(profile);
}

/** `--region` (repeatable), else {@link defaultRegion}; possibly none. */
export async function regions(region: string[] | undefined, profile?: string): Promise<string[]> {
  // Once each, in the order given: a region listed twice would be scanned twice.
  if (region && region.length > 0) return [...new Set(region)];
  const r = await defaultRegion(profile);
  return r ? [r] : [];
}

/** The usage error for a command that needs a region and has none. */
export function noRegion(repeatable: boolean): UsageError {
  return new UsageError({
    code: 'MISSING_ARGUMENT',
    message: `no region: give --region${repeatable ? ' (repeatable)' : ''}, set AWS_REGION or a profile's region`,
  });
}

/** Where a layer not yet published will be (`gate`, `pin`): facts a rule may match on. */
export const FACTS = {
  account: { type: 'string' },
  region: { type: 'string' },
} as const satisfies Options;

/** The facts {@link FACTS} (or `verify`'s `--account` and one `--region`) give. */
export function facts(values: {
  account?: string | undefined;
  region?: string | undefined;
}): LayerFacts {
  return {
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}

/** The pin entry's fields besides the digest (`gate`, `pin`). */
export const PIN = {
  version: { type: 'string' },
  note: { type: 'string' },
  expires: { type: 'string' },
} as const satisfies Options;

/** The pin entry's fields from {@link PIN}, checked. */
export function pinFields(values: {
  version?: string | undefined;
  note?: string | undefined;
  expires?: string | undefined;
}): Omit<Pin, 'sha256'> {
  const pin: Omit<Pin, 'sha256'> = {};
  if (values.version !== undefined) {
    if (!/^[1-9]\d*$/.test(values.version)) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--version: not a layer version number: ${values.version}`,
      });
    }
    pin.version = Number(values.version);
  }
  if (values.note !== undefined) pin.note = values.note;
  if (values.expires !== undefined) {
    if (!parseExpiry(values.expires)) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--expires: not a date: ${values.expires}`,
      });
    }
    pin.expires = values.expires;
  }
  return pin;
}

/** What `gate` and `pin` share: the layer, `--policy`, `--layer-name`, the pin entry, limits. */
export const PIN_TARGET = {
  policy: { type: 'string' },
  'layer-name': { type: 'string' },
  ...PIN,
  ...FACTS,
  ...LIMITS,
} as const satisfies Options;

/** The positional LAYER and {@link PIN_TARGET}, checked. */
export function pinTarget(
  cmd: string,
  usage: string,
  {
    values,
    positionals,
  }: {
    values: Partial<
      Record<
        'policy' | 'layer-name' | keyof typeof PIN | keyof typeof FACTS | keyof typeof LIMITS,
        string
      >
    >;
    positionals: string[];
  }
): {
  input: string;
  policy: string;
  layerName: string;
  fields: Omit<Pin, 'sha256'>;
  facts: LayerFacts;
  limits: Partial<Limits>;
} {
  if (positionals.length !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `${cmd} takes exactly one LAYER.zip\n${usage}`,
    });
  }
  if (values.policy === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
  if (values['layer-name'] === undefined) {
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--layer-name is required' });
  }
  return {
    input: positionals[0]!,
    policy: values.policy,
    layerName: values['layer-name'],
    fields: pinFields(values),
    facts: facts(values),
    limits: limits(values),
  };
}

/** Where an image comes from: every command that reads images takes these. */
export const IMAGE_SOURCE = IMAGE_SOURCE_FLAGS;

/** The {@link IMAGE_SOURCE} flags as pipeline options. */
export function imageSource(
  image: string,
  values: {
    platform?: string | undefined;
    'registry-auth'?: string | undefined;
    'insecure-registry'?: string[] | undefined;
  }
): ImageSourceOptions {
  return {
    image,
    ...(values.platform !== undefined ? { platform: values.platform } : {}),
    registry: {
      ...(values['registry-auth'] !== undefined ? { registryAuth: values['registry-auth'] } : {}),
      ...(values['insecure-registry'] !== undefined
        ? { insecureRegistries: values['insecure-registry'] }
        : {}),
    },
  };
}

/** Facts an image rule matches on besides a registry reference's own repository. */
export const IMAGE_FACTS = {
  repository: { type: 'string' },
} as const satisfies Options;

/** The image facts from {@link IMAGE_FACTS} and the account/region flags. */
export function imageFacts(values: {
  repository?: string | undefined;
  account?: string | undefined;
  region?: string | undefined;
}): ImageFacts {
  return {
    ...(values.repository !== undefined ? { repository: values.repository } : {}),
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
}

/** `--history [DB]` (scan, verify --all): record the run in the scan history. */
export const HISTORY = {
  history: { type: 'string' },
} as const satisfies Options;

/** Sentinel for `--history` given without a database: the default one. */
const DEFAULT_DB = '\0default';

/**
 * Let `--history` stand alone: parseArgs wants a value for a string flag, so a `--history`
 * followed by nothing or by another flag becomes `--history=<default marker>`.
 */
export function historyArgv(argv: readonly string[]): string[] {
  return argv.map((a, i) => {
    if (a !== '--history') return a;
    const next = argv[i + 1];
    return next === undefined || next.startsWith('-') ? `--history=${DEFAULT_DB}` : a;
  });
}

/** The database `--history`/`--db` names, the default one when given alone or not at all. */
export function historyDb(value: string | undefined, fallback: () => string): string {
  return value === undefined || value === DEFAULT_DB ? fallback() : value;
}

/**
 * The positional IMAGE of `gate` and `pin`: one positional that names an image, and no
 * `--layer-name` (which makes it a layer); undefined for a layer.
 */
export async function imagePositional(args: {
  positionals: readonly string[];
  values: { 'layer-name'?: string | undefined };
}): Promise<string | undefined> {
  const [first] = args.positionals;
  if (args.positionals.length !== 1 || first === undefined) return undefined;
  if (args.values['layer-name'] !== undefined) return undefined;
  return (await isImageInput(first)) ? first : undefined;
}
