/** `lamina version`: lamina's version; with `-o json` its trust roots and the formats it writes. */
import { UsageError } from '../../errors.js';
import { renderVersionJson, renderVersionText } from '../../report/version.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import { emit, outputTargets } from '../output.js';

export const VERSION_USAGE = `usage: lamina version [-o text|json[=FILE]] [-o FILE] [--quiet]

Prints lamina's version (also 'lamina --version'). -o json adds the trust roots lamina ships
(name, path, sha256) and the CycloneDX, SPDX and SARIF versions it writes; -o json=FILE or
-o FILE writes to a file ('-' or /dev/stdout: stdout).`;

const FORMATS = ['text', 'json'] as const;

/** `lamina version`. */
export const versionCommand = command(
  VERSION_USAGE,
  { output: { type: 'string', short: 'o', multiple: true } },
  async ({ values, positionals }, io) => {
    if (positionals.length > 0) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `version takes no positional arguments\n${VERSION_USAGE}`,
      });
    }
    for (const t of outputTargets(values.output ?? [], FORMATS, 'text')) {
      await emit(t.format === 'json' ? renderVersionJson() : renderVersionText(), t.file, io);
    }
    return EXIT.OK;
  }
);
