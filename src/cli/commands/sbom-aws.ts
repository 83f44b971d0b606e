import { UsageError } from '../../errors.js';
import { ClientFactory, type AwsOptions } from '../../fetch/aws/clients.js';
import { getFunctionInfo } from '../../fetch/aws/function.js';
import { fetchLayerVersion, layerArtifact } from '../../fetch/aws/layer.js';
import { FetchError } from '../../fetch/errors.js';
import type { RetryPolicy } from '../../fetch/retry.js';
import { buildInventory } from '../../inventory/index.js';
import { serializeFunctionSbom } from '../../merge/cyclonedx.js';
import { mergeLayers, type MergeLayerInput } from '../../merge/merge.js';
import type { Limits } from '../../unpack/source.js';
import { openZipFile } from '../../unpack/zip.js';
import { EXIT } from '../exit.js';
import { printFindings } from '../findings.js';
import type { CliIo } from '../io.js';
import { emit, layerSbom, type OutputOptions } from './sbom.js';
import { escapeTerminal } from '../../report/escape.js';

// The AWS-backed forms of `lamina sbom` (layer version ARN, --function), loaded
// only when asked for so a local zip never pays for loading the AWS SDK.

/**
 * API calls get no retries of our own on top of the SDK's (--max-attempts):
 * one command makes a handful of calls, unlike a scan.
 */
const API_RETRY: RetryPolicy = { attempts: 1, baseMs: 0, capMs: 0 };

interface AwsContext {
  aws: AwsOptions;
  cacheDir: string;
  limits: Limits;
  out: OutputOptions;
}

/** `sbom arn:aws:lambda:…:layer:NAME:VERSION`: fetch through the cache, then as for a zip. */
export async function layerArnSbom(input: string, ctx: AwsContext, io: CliIo): Promise<number> {
  const factory = new ClientFactory(ctx.aws);
  try {
    const layer = await fetchLayerVersion(factory, input, {
      cacheDir: ctx.cacheDir,
      apiRetry: API_RETRY,
    });
    const source = await openZipFile(layer.path, { limits: ctx.limits, name: input });
    return await layerSbom(source, layerArtifact(layer, source.size), ctx.limits, ctx.out, io);
  } finally {
    factory.destroy();
  }
}

/** `sbom --function`: GetFunction, fetch and inventory each layer, merge, one SBOM. */
export async function functionSbom(
  name: string,
  region: string,
  ctx: { aws: AwsOptions; cacheDir: string; limits: Limits; out: OutputOptions },
  io: CliIo
): Promise<number> {
  const factory = new ClientFactory(ctx.aws);
  try {
    const fn = await getFunctionInfo(factory, name, region, { retry: API_RETRY });
    const inputs: MergeLayerInput[] = [];
    for (const arn of fn.layers) {
      const layer = await fetchLayerVersion(factory, arn, {
        cacheDir: ctx.cacheDir,
        apiRetry: API_RETRY,
      }).catch((err: unknown) => {
        // The user named a function, not this ARN: a layer version it can no
        // longer read (deleted, not shared) means the SBOM cannot be completed.
        if (err instanceof UsageError)
          throw new FetchError({ code: 'NOT_FOUND', message: err.message, cause: err });
        throw err;
      });
      const source = await openZipFile(layer.path, { limits: ctx.limits, name: arn });
      try {
        const inventory = await buildInventory(source, layerArtifact(layer, source.size), {
          limits: ctx.limits,
        });
        inputs.push({ arn, entries: source.entries(), inventory });
      } finally {
        await source.close();
      }
    }
    const view = mergeLayers(inputs);
    const text = serializeFunctionSbom(view, fn, {
      format: ctx.out.format,
      specVersion: ctx.out.specVersion,
      timestamp: ctx.out.timestamp,
    });
    if (!ctx.out.quiet) {
      for (const l of inputs) printFindings(io, l.arn, l.inventory.findings);
      const hidden = view.packages.filter((p) => p.shadowedBy !== undefined).length;
      io.stderr.write(
        escapeTerminal(
          `lamina: ${fn.name}: ${view.packages.length} packages across ${inputs.length} layers, ` +
            `${hidden} shadowed; ${view.shadowed.length} file${view.shadowed.length === 1 ? '' : 's'} shadowed`
        ) + '\n'
      );
    }
    await emit(text, ctx.out, io);
    return EXIT.OK;
  } finally {
    factory.destroy();
  }
}
