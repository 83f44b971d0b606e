/** `lamina sbom`: one layer (zip, directory, ARN) or a function's layers as a CycloneDX SBOM. */
import { UsageError } from '../../errors.js';
import { parseFunctionArn } from '../../model/arn.js';
import { functionSbom, layerSbom } from '../../pipeline/sbom.js';
import { summarizeInventory } from '../../report/inventory-summary.js';
import type { SbomFormat, SpecVersion } from '../../sbom/cyclonedx.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import { emit, printFindings } from '../output.js';
import { escapeTerminal } from '../../util/escape.js';

export const SBOM_USAGE = `usage: lamina sbom INPUT [-o FILE] [--format cyclonedx-json|cyclonedx-xml] [--spec-version 1.6|1.5]
                  [--timestamp ISO|now] [--quiet] [limit flags]
       lamina sbom --function NAME [--region R] [AWS flags] [same output flags]

INPUT is a Lambda layer zip, a directory holding an unzipped layer, or a layer
version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION), fetched from AWS
in the ARN's region. --function NAME (or function ARN) writes one SBOM for the
function's merged /opt: its layers applied in order, with what a later layer
shadows marked (lamina:shadowed-by). Container image functions are not supported.

AWS flags: [--profile P] [--endpoint-url URL] [--cache-dir DIR] [--max-attempts N]
Without -o the SBOM goes to stdout. Findings go to stderr; with -o a summary too.

Limit flags (untrusted archives; sizes take k, M, G):
  --max-entries N         most entries in an archive            (default 200000)
  --max-total-size SIZE   most declared uncompressed bytes      (default 2G)
  --max-ratio N           highest compression ratio per entry   (default 250, entries >= 1M)
  --max-depth N           deepest archive nesting (jar in jar)  (default 4)
  --max-file-size SIZE    largest metadata file read            (default 32M)
  --max-nested-size SIZE  largest nested archive read           (default 256M)
  --max-rehash-size SIZE  most bytes re-hashed for RECORD checks (default 1G)
  --max-rehash-size SIZE  most bytes re-hashed for RECORD checks (default 1G)
Exit 2 for a bad input (unknown ARN or function), 3 when AWS could not be read.`;

const FORMATS: readonly SbomFormat[] = ['cyclonedx-json', 'cyclonedx-xml'];
const SPECS: readonly SpecVersion[] = ['1.6', '1.5'];

function parseTimestamp(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (text === 'now') return new Date();
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--timestamp: not a date: ${JSON.stringify(text)}`,
    });
  }
  return d;
}

/** `lamina sbom`. */
export const sbomCommand = command(
  SBOM_USAGE,
  {
    output: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'cyclonedx-json' },
    'spec-version': { type: 'string', default: '1.6' },
    timestamp: { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    function: { type: 'string' },
    region: { type: 'string' },
    ...flags.AWS,
    ...flags.LIMITS,
  },
  async ({ values, positionals }, io) => {
    const fnName = values.function;
    if (fnName !== undefined ? positionals.length !== 0 : positionals.length !== 1) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `sbom takes exactly one INPUT or --function NAME\n${SBOM_USAGE}`,
      });
    }
    const options = {
      format: flags.oneOf('format', values.format, FORMATS),
      specVersion: flags.oneOf('spec-version', values['spec-version'], SPECS),
      timestamp: parseTimestamp(values.timestamp),
      limits: flags.limits(values),
      ...flags.aws(values),
    };
    const quiet = values.quiet;

    if (fnName !== undefined) {
      const region = values.region ?? parseFunctionArn(fnName)?.region ?? flags.envRegion();
      if (!region) throw flags.noRegion(false);
      const {
        sbom,
        function: fn,
        view,
      } = await functionSbom({
        ...options,
        function: fnName,
        region,
      });
      if (!quiet) {
        for (const l of view.layers) printFindings(io, l.arn, l.inventory.findings);
        const hidden = view.packages.filter((p) => p.shadowedBy !== undefined).length;
        io.stderr.write(
          escapeTerminal(
            `lamina: ${fn.name}: ${view.packages.length} packages across ${view.layers.length} layers, ` +
              `${hidden} shadowed; ${view.shadowed.length} file${view.shadowed.length === 1 ? '' : 's'} shadowed`
          ) + '\n'
        );
      }
      await emit(sbom, values.output, io);
      return EXIT.OK;
    }

    const { sbom, inventory } = await layerSbom({ ...options, input: positionals[0]! });
    if (!quiet) printFindings(io, inventory.artifact.name, inventory.findings);
    await emit(sbom, values.output, io);
    // With -o, stdout is free: say in a few lines what was found.
    if (values.output && !quiet)
      io.stderr.write(summarizeInventory(inventory) + `  wrote ${values.output}\n`);
    return EXIT.OK;
  }
);
