import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { AwsOptions } from '../../fetch/aws/clients.js';
import { defaultCacheDir } from '../../fetch/cache.js';
import { buildInventory } from '../../inventory/index.js';
import type { Artifact } from '../../model/inventory.js';
import { serializeSbom, type SbomFormat, type SpecVersion } from '../../sbom/cyclonedx.js';
import { openLayerPath } from '../../unpack/open.js';
import type { FileSource, Limits } from '../../unpack/source.js';
import { LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import { printFindings } from '../findings.js';
import { summarizeInventory } from '../../report/inventory-summary.js';
import { writeFileAtomic, type CliIo } from '../io.js';

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
Exit 2 for a bad input (unknown ARN or function), 3 when AWS could not be read.`;

const FORMATS: readonly SbomFormat[] = ['cyclonedx-json', 'cyclonedx-xml'];
const SPECS: readonly SpecVersion[] = ['1.6', '1.5'];

export interface OutputOptions {
  format: SbomFormat;
  specVersion: SpecVersion;
  timestamp: Date | undefined;
  output: string | undefined;
  quiet: boolean;
}

/** `lamina sbom`: inventory one layer (zip, directory, ARN) or a function's layers and write a CycloneDX SBOM. */
export async function sbomCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' },
    format: { type: 'string', default: 'cyclonedx-json' },
    'spec-version': { type: 'string', default: '1.6' },
    timestamp: { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    function: { type: 'string' },
    region: { type: 'string' },
    profile: { type: 'string' },
    'endpoint-url': { type: 'string' },
    'cache-dir': { type: 'string' },
    'max-attempts': { type: 'string', default: '8' },
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(SBOM_USAGE + '\n');
    return EXIT.OK;
  }
  const fnName = values.function;
  if (fnName !== undefined ? positionals.length !== 0 : positionals.length !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `sbom takes exactly one INPUT or --function NAME\n${SBOM_USAGE}`,
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
  const out: OutputOptions = {
    format,
    specVersion,
    timestamp: parseTimestamp(values.timestamp),
    output: values.output,
    quiet: values.quiet,
  };
  const limits = limitsFromFlags(values);
  const maxAttempts = values['max-attempts'];
  if (!/^[1-9]\d*$/.test(maxAttempts.trim())) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--max-attempts: not a positive whole number: ${JSON.stringify(maxAttempts)}`,
    });
  }
  const aws: AwsOptions = {
    maxAttempts: Number(maxAttempts),
    ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  };
  const cacheDir = resolve(values['cache-dir'] ?? defaultCacheDir());

  if (fnName !== undefined) {
    const region =
      values.region ??
      /^arn:aws[\w-]*:lambda:([a-z0-9-]+):/.exec(fnName)?.[1] ??
      process.env['AWS_REGION'] ??
      process.env['AWS_DEFAULT_REGION'];
    if (!region) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: 'no region: give --region or set AWS_REGION',
      });
    }
    const { functionSbom } = await import('./sbom-aws.js');
    return functionSbom(fnName, region, { aws, cacheDir, limits, out }, io);
  }

  const input = positionals[0]!;
  if (input.startsWith('arn:')) {
    const { layerArnSbom } = await import('./sbom-aws.js');
    return layerArnSbom(input, { aws, cacheDir, limits, out }, io);
  }
  const { source, artifact } = await openLayerPath(input, limits);
  return layerSbom(source, artifact, limits, out, io);
}

/** Inventory one layer, write its SBOM, close the source. */
export async function layerSbom(
  source: FileSource,
  artifact: Artifact,
  limits: Limits,
  out: OutputOptions,
  io: CliIo
): Promise<number> {
  try {
    const inventory = await buildInventory(source, artifact, { limits });
    const text = serializeSbom(inventory, {
      format: out.format,
      specVersion: out.specVersion,
      timestamp: out.timestamp,
    });
    if (!out.quiet) printFindings(io, artifact.name, inventory.findings);
    await emit(text, out, io);
    // With -o, stdout is free: say in a few lines what was found.
    if (out.output && !out.quiet)
      io.stderr.write(summarizeInventory(inventory) + `  wrote ${out.output}\n`);
    return EXIT.OK;
  } finally {
    await source.close();
  }
}

export async function emit(text: string, out: OutputOptions, io: CliIo): Promise<void> {
  if (out.output) await writeFileAtomic(out.output, text);
  else io.stdout.write(text);
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
