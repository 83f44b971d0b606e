/**
 * `lamina verify`: check a layer zip against a policy and print the verdict.
 * Exit 0 when every enforced check passes, 1 on a violation, 2 on bad input, 3 when incomplete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { buildInventory } from '../../inventory/index.js';
import { renderVerdictJson } from '../../report/verdict-json.js';
import { renderVerdictSarif } from '../../report/verdict-sarif.js';
import { renderVerdictText } from '../../report/verdict-text.js';
import { openLayerPath } from '../../unpack/open.js';
import type { Limits } from '../../unpack/source.js';
import type { FoundBundle, LayerEvidence } from '../../verify/evidence.js';
import { loadPolicyFile } from '../../verify/policy/load.js';
import { findRule } from '../../verify/policy/match.js';
import type { LoadedPolicy } from '../../verify/policy/types.js';
import type { Verdict } from '../../verify/verdict.js';
import { verifyLayer } from '../../verify/verifier.js';
import { LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import { writeFileAtomic, type CliIo } from '../io.js';

export const VERIFY_USAGE = `usage: lamina verify LAYER.zip --policy FILE --layer-name NAME [--layer-arn ARN]
                    [--bundle FILE ...] [--format text|json|sarif] [-o FILE] [limit flags]

Checks a layer zip against a policy: pinned digest, signatures (Sigstore bundles from --bundle
and the rule's bundle directories), denied packages and licenses.
Exit 0 pass, 1 policy violation, 2 bad input or usage, 3 could not complete.`;

type Format = 'text' | 'json' | 'sarif';
const FORMATS: readonly Format[] = ['text', 'json', 'sarif'];

/** Render verdicts in a format. */
export function renderVerdicts(verdicts: readonly Verdict[], format: Format): string {
  if (format === 'json') return renderVerdictJson(verdicts);
  if (format === 'sarif') return renderVerdictSarif(verdicts);
  return renderVerdictText(verdicts);
}

function readBundleFile(path: string): FoundBundle {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `cannot read bundle ${path}: ${(e as Error).message}`,
    });
  }
  try {
    return { source: path, bundle: JSON.parse(text) as unknown };
  } catch {
    // An unparseable bundle is evidence that fails verification, not a usage error.
    return { source: path, bundle: text };
  }
}

/**
 * Bundles named on the command line plus those in the matching rule's `bundles:` sources.
 * Directories hold files named `<sha256>*.json`; s3:// and https:// sources are not fetched yet.
 */
export function collectBundles(
  loaded: LoadedPolicy,
  ruleIndex: number,
  sha256: string,
  files: readonly string[]
): { bundles: FoundBundle[]; errors: string[] } {
  const bundles = files.map(readBundleFile);
  const errors: string[] = [];
  const rule = ruleIndex >= 0 ? loaded.policy.layers?.[ruleIndex] : undefined;
  for (const src of rule?.bundles ?? []) {
    if (src.dir !== undefined) {
      const dir = resolve(loaded.baseDir, src.dir);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (e) {
        errors.push(`${src.dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        continue;
      }
      for (const n of names.sort()) {
        if (n.startsWith(sha256) && n.endsWith('.json')) bundles.push(readBundleFile(join(dir, n)));
      }
    } else {
      // TODO(lead): fetch s3:// and https:// bundle sources through src/fetch.
      errors.push(
        `${src.s3 ?? src.url?.replace('{digest}', sha256) ?? '?'}: remote bundle sources are not fetched yet`
      );
    }
  }
  return { bundles, errors };
}

/** Open a zip, inventory it and gather its evidence for the verifier. */
export async function localLayerEvidence(
  input: string,
  layerName: string,
  layerArn: string | undefined,
  loaded: LoadedPolicy,
  bundleFiles: readonly string[],
  limits: Limits
): Promise<LayerEvidence> {
  const { source, artifact } = await openLayerPath(input, limits);
  try {
    if (artifact.kind !== 'zip') {
      throw new UsageError({
        code: 'BAD_INPUT',
        message: `${input}: verify needs a layer zip (its digest is what is pinned)`,
      });
    }
    const inventory = await buildInventory(source, artifact, { limits });
    const ruleIndex = findRule(loaded.policy.layers, { name: layerName, arn: layerArn });
    const { bundles, errors } = collectBundles(loaded, ruleIndex, artifact.sha256, bundleFiles);
    return {
      name: artifact.name,
      layerName,
      ...(layerArn !== undefined ? { arn: layerArn } : {}),
      sha256: artifact.sha256,
      bytes: readFileSync(input),
      inventory,
      bundles,
      bundleErrors: errors,
    };
  } finally {
    await source.close();
  }
}

function notImplemented(what: string): never {
  throw new UsageError({
    code: 'BAD_ARGUMENT',
    message: `${what} needs AWS access: not implemented yet`,
  });
}

/** `lamina verify`. */
export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    'layer-arn': { type: 'string' },
    bundle: { type: 'string', multiple: true },
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    function: { type: 'string' },
    all: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(VERIFY_USAGE + '\n');
    return EXIT.OK;
  }
  // TODO(lead): ARN, --function and --all inputs need the fetcher's SDK evidence (SignerEvidenceSource).
  if (values.function !== undefined) notImplemented('--function');
  if (values.all) notImplemented('--all');
  if (positionals.length !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `verify takes exactly one INPUT\n${VERIFY_USAGE}`,
    });
  }
  const input = positionals[0]!;
  if (input.startsWith('arn:')) notImplemented('a layer version ARN');
  if (values.policy === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
  if (values['layer-name'] === undefined) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: '--layer-name is required for a local zip',
    });
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `--format must be one of ${FORMATS.join(', ')}`,
    });
  }
  const loaded = loadPolicyFile(values.policy);
  const limits = limitsFromFlags(values);
  const ev = await localLayerEvidence(
    input,
    values['layer-name'],
    values['layer-arn'],
    loaded,
    values.bundle ?? [],
    limits
  );
  const verdict = verifyLayer(ev, loaded, { now: new Date() });
  const text = renderVerdicts([verdict], format);
  if (values.output !== undefined) await writeFileAtomic(values.output, text);
  else io.stdout.write(text);
  for (const c of verdict.checks) {
    if (c.outcome === 'warn')
      io.stderr.write(`lamina: warning: ${verdict.subject.name}: ${c.id}: ${c.detail}\n`);
  }
  return verdict.ok ? EXIT.OK : EXIT.POLICY_FAILURE;
}
