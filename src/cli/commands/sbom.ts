import { UsageError } from '../../errors.js';
import { buildInventory } from '../../inventory/index.js';
import { serializeSbom, type SbomFormat, type SpecVersion } from '../../sbom/cyclonedx.js';
import { openLayerPath } from '../../unpack/open.js';
import { LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import { writeFileAtomic, type CliIo } from '../io.js';
import { printFindings } from '../findings.js';

export const SBOM_USAGE = `usage: lamina sbom INPUT [-o FILE] [--format cyclonedx-json|cyclonedx-xml] [--spec-version 1.6|1.5]
                  [--timestamp ISO|now] [--quiet] [limit flags]

INPUT is a Lambda layer zip or a directory holding an unzipped layer.
Without -o the SBOM goes to stdout. Findings go to stderr.`;

const FORMATS: readonly SbomFormat[] = ['cyclonedx-json', 'cyclonedx-xml'];
const SPECS: readonly SpecVersion[] = ['1.6', '1.5'];

/** `lamina sbom`: inventory one layer and write its CycloneDX SBOM. */
export async function sbomCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'cyclonedx-json' },
    'spec-version': { type: 'string', default: '1.6' },
    timestamp: { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(SBOM_USAGE + '\n');
    return EXIT.OK;
  }
  if (positionals.length !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `sbom takes exactly one INPUT\n${SBOM_USAGE}`,
    });
  }
  const format = values.format as SbomFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--format must be one of ${FORMATS.join(', ')}`,
    });
  }
  const specVersion = values['spec-version'] as SpecVersion;
  if (!SPECS.includes(specVersion)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--spec-version must be one of ${SPECS.join(', ')}`,
    });
  }
  const timestamp = parseTimestamp(values.timestamp);
  const limits = limitsFromFlags(values);
  const input = positionals[0]!;

  const { source, artifact } = await openLayerPath(input, limits);
  try {
    const inventory = await buildInventory(source, artifact, { limits });
    const text = serializeSbom(inventory, { format, specVersion, timestamp });
    if (!values.quiet) printFindings(io, artifact.name, inventory.findings);
    if (values.output) await writeFileAtomic(values.output, text);
    else io.stdout.write(text);
    return EXIT.OK;
  } finally {
    await source.close();
  }
}

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
