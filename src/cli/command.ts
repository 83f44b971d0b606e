import { EXIT } from './exit.js';
import { HELP, parse, type Options, type Parsed } from './flags.js';
import type { CliIo } from './io.js';

/** A command as main() runs it: the arguments after its name in, an exit code out. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

/**
 * A command from its usage text, its flags and its body. The body gets the parsed flags (an
 * unknown flag is a usage error) and is flags → options → one pipeline call → render → exit
 * code; `-h`/`--help` prints the usage instead.
 */
export function command<O extends Options>(
  usage: string,
  flags: O,
  body: (args: Parsed<O>, io: CliIo) => Promise<number>
): Command {
  return async (argv, io) => {
    const args = parse(argv, { ...flags, ...HELP });
    if ((args.values as { help?: boolean }).help) {
      io.stdout.write(usage + '\n');
      return EXIT.OK;
    }
    return body(args, io);
  };
}
