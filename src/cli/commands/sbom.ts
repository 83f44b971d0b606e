/** `lamina sbom`: one layer (zip, directory, ARN), a container image, or a function's layers as a CycloneDX SBOM. */
import { UsageError } from '../../errors.js';
import { parseFunctionArn } from '../../model/arn.js';
import { parseIsoInstant } from '../../util/iso-time.js';
import type { ImageInventory } from '../../pipeline/image.js';
import { isImageInput } from '../../pipeline/image-input.js';
import { summarizeInventory } from '../../report/inventory-summary.js';
import type { SpecVersion } from '../../sbom/cyclonedx.js';
import { EXIT } from '../exit.js';
import { boundContentHeap } from '../heap.js';
import { AWS_ENV, command } from '../command.js';
import * as flags from '../flags.js';
import { emit, outputTargets, printFindings } from '../output.js';
import { escapeTerminal } from '../../util/escape.js';

export const SBOM_USAGE = `usage: lamina sbom INPUT [-o FORMAT[=FILE] ...] [-o FILE] [--format FORMAT]
                  [--spec-version 1.6|1.5] [--timestamp ISO|now] [--quiet] [limit flags]
       lamina sbom IMAGE [image flags] [AWS flags] [same output and limit flags]
       lamina sbom --function NAME [--region R] [AWS flags] [same output flags]

INPUT is a Lambda layer zip, a directory holding an unzipped layer, or a layer
version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION), fetched from AWS
in the ARN's region. IMAGE is a container image: every layer is checked against
its digests, read without extracting it and squashed with OCI whiteouts; the
SBOM names the image (pkg:oci purl, manifest digest, layers), its OS and each
package's layer and image part (SPDX: as lamina: lines of each element's comment). --function NAME (or function ARN) writes one SBOM
for the function's merged /opt: its layers applied in order, with what a later
layer shadows marked (lamina:shadowed-by); for a container image function, the
image it runs (ResolvedImageUri, from ECR) with the function's ARN, CodeSha256
and its EntryPoint, Command and WorkingDirectory beside the image config's.

Output (FORMAT: cyclonedx-json (default), cyclonedx-xml, spdx-json):
  -o, --output FORMAT[=FILE]  write FORMAT to FILE (stdout without =FILE); repeatable:
                              -o cyclonedx-json=a.cdx.json -o spdx-json=a.spdx.json
  -o, --output FILE           write --format to FILE; '-' or /dev/stdout is stdout.
                              A regular file is replaced atomically; a FIFO or device
                              is written in place; a symlink is followed.
  --format FORMAT             the format of a plain -o FILE or of stdout
  --spec-version 1.6|1.5      CycloneDX specification version (default 1.6)
  --timestamp ISO|now         CycloneDX metadata.timestamp, SPDX created (default: none,
                              SPDX 1970-01-01, so output is reproducible)
  -q, --quiet                 no findings or summary on stderr
  --function NAME, --region R the function whose merged /opt to inventory, and its region

AWS flags: [--profile P] [--endpoint-url URL] [--cache-dir DIR] [--max-attempts N]
           [--connect-timeout S] [--read-timeout S] (seconds, default 60 each)
           [--rehash-cache] (hash each cached zip when looked up, fetch a changed one)
Findings go to stderr; with -o FILE a summary too.

${flags.IMAGE_HELP}

Limit flags (untrusted archives; sizes take k, M, G):
  --max-entries N         most entries in an archive            (default 200000)
  --max-total-size SIZE   most declared uncompressed bytes      (default 2G)
  --max-ratio N           highest compression ratio per entry   (default 250, entries >= 1M)
  --max-depth N           deepest archive nesting (jar in jar)  (default 4)
  --max-file-size SIZE    largest metadata file read            (default 32M)
  --max-nested-size SIZE  largest nested archive read           (default 256M)
  --max-rehash-size SIZE  most bytes re-hashed for RECORD checks (default 1G)
Exit 2 for a bad input (unknown ARN or function, a refused image or layer), 3 when
AWS or a registry could not be read.`;

const SPECS: readonly SpecVersion[] = ['1.6', '1.5'];

function parseTimestamp(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  if (text === 'now') return new Date();
  const t = parseIsoInstant(text);
  if (t === undefined) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--timestamp: not an ISO 8601 date or date-time (UTC unless it ends in an offset), or now: ${JSON.stringify(text)}`,
    });
  }
  return new Date(t);
}

/** `lamina sbom`. */
export const sbomCommand = command(
  SBOM_USAGE,
  {
    output: { type: 'string', short: 'o', multiple: true },
    format: { type: 'string', default: 'cyclonedx-json' },
    'spec-version': { type: 'string', default: '1.6' },
    timestamp: { type: 'string' },
    function: { type: 'string' },
    region: { type: 'string' },
    ...flags.AWS,
    ...flags.LIMITS,
    ...flags.IMAGE,
  },
  async ({ values, positionals }, io) => {
    const fnName = values.function;
    if (fnName !== undefined ? positionals.length !== 0 : positionals.length !== 1) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `sbom takes exactly one INPUT or --function NAME\n${SBOM_USAGE}`,
      });
    }
    boundContentHeap();
    // Loaded once the arguments are known to be usable: --help and usage errors stay fast.
    const { functionSbom, layerSbom, SBOM_OUTPUT_FORMATS } = await import('../../pipeline/sbom.js');
    const format = flags.oneOf('format', values.format, SBOM_OUTPUT_FORMATS);
    const targets = outputTargets(values.output ?? [], SBOM_OUTPUT_FORMATS, format);
    const options = {
      format: targets[0]!.format,
      formats: targets.map((t) => t.format),
      specVersion: flags.oneOf('spec-version', values['spec-version'], SPECS),
      timestamp: parseTimestamp(values.timestamp),
      limits: flags.limits(values),
      ...flags.aws(values),
    };
    const quiet = values.quiet;

    if (fnName !== undefined) {
      const region =
        values.region ??
        parseFunctionArn(fnName)?.region ??
        (await flags.defaultRegion(values.profile));
      if (!region) throw flags.noRegion(false);
      const result = await functionSbom({
        ...options,
        function: fnName,
        region,
      });
      if (!quiet && result.kind === 'image') {
        printFindings(io, result.image.image.name, result.image.inventory.findings);
        io.stderr.write(summarizeImage(result.image, result.function.name) + '\n');
      } else if (!quiet && result.kind === 'zip') {
        const { view, function: fn } = result;
        for (const l of view.layers) printFindings(io, l.arn, l.inventory.findings);
        const hidden = view.packages.filter((p) => p.shadowedBy !== undefined).length;
        io.stderr.write(
          escapeTerminal(
            `lamina: ${fn.name}: ${view.packages.length} packages across ${view.layers.length} layers, ` +
              `${hidden} shadowed; ${view.shadowed.length} file${view.shadowed.length === 1 ? '' : 's'} shadowed`
          ) + '\n'
        );
      }
      for (const t of targets) await emit(result.sboms[t.format]!, t.file, io);
      return EXIT.OK;
    }

    const input = positionals[0]!;
    if (await isImageInput(input)) {
      // The image stack (registry client, AWS SDK, tar reader) loads only for an image.
      const { imageSbom } = await import('../../pipeline/image.js');
      const result = await imageSbom(input, {
        ...options,
        ...flags.image(values),
      });
      if (!quiet) {
        printFindings(io, result.image.name, result.inventory.findings);
        io.stderr.write(summarizeImage(result) + '\n');
      }
      for (const t of targets) await emit(result.sboms[t.format]!, t.file, io);
      return EXIT.OK;
    }

    const imageOnly = flags.imageFlagsGiven(values);
    if (imageOnly.length > 0) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `${imageOnly.map((f) => `--${f}`).join(', ')}: only for an IMAGE, and ${JSON.stringify(input)} is a layer`,
      });
    }
    const { sboms, inventory } = await layerSbom({ ...options, input });
    if (!quiet) printFindings(io, inventory.artifact.name, inventory.findings);
    for (const t of targets) await emit(sboms[t.format]!, t.file, io);
    // When no SBOM goes to stdout, say in a few lines what was found.
    const files = targets.flatMap((t) => (t.file === undefined ? [] : [t.file]));
    if (files.length === targets.length && !quiet) {
      io.stderr.write(
        summarizeInventory(inventory) + escapeTerminal(`  wrote ${files.join(', ')}`) + '\n'
      );
    }
    return EXIT.OK;
  },
  AWS_ENV
);

/** One line for stderr: what the image is (the function running it) and what was found in it. */
function summarizeImage(r: ImageInventory, fn?: string): string {
  const p = r.image.platform;
  const id = r.image.manifestDigest ?? `config ${r.image.configDigest}`;
  const os = r.os ? `, ${r.os.prettyName ?? `${r.os.id} ${r.os.versionId ?? ''}`.trim()}` : '';
  const files = r.inventory.packages.filter((x) => x.type === 'file').length;
  const packages = r.inventory.packages.length - files;
  const removed = r.scope === 'all-layers' ? `, ${r.removed.length} removed by later layers` : '';
  return escapeTerminal(
    `lamina: ${fn !== undefined ? `${fn}: ` : ''}${r.image.name}: ${id} ${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}${os}: ` +
      `${packages} packages and ${files} files in ${r.image.layers.length} layer${r.image.layers.length === 1 ? '' : 's'}${removed}; ` +
      `inventory ${r.inventory.complete ? 'complete' : 'incomplete'}`
  );
}
