import { loadsCode, type ScanFunction, type ScanResult } from '../scan/result.js';
import { escapeTerminal } from '../util/escape.js';
import { handlersToReview } from './scan-handlers.js';
import { renderScanImagesText } from './scan-images-text.js';
import { imageConfigWords, plural, shortDigest, variableText } from './words.js';

function fnLabel(f: Pick<ScanFunction, 'name' | 'version' | 'account' | 'region'>): string {
  return f.version === '$LATEST' ? f.name : `${f.name}:${f.version}`;
}

/**
 * The human report of a scan, grouped by layer (pure; fits 100 columns except
 * for ARNs and reasons, which are never cut). For each layer (name and owner):
 * per region the newest version, each function using it with the version and
 * digest it uses and how far behind it is, versions no function uses, and any
 * version number whose bytes differ between regions. Failures come last.
 */
export function renderScanText(result: ScanResult): string {
  return [...scanTextLines(result)].join('');
}

/**
 * {@link renderScanText} line by line, each with its newline: the report of a large estate is
 * written as it is made, never held as one string (at 100,000 functions it is ~11 MB, and its
 * lines as many strings again).
 */
export function* scanTextLines(result: ScanResult): Generator<string> {
  for (const line of scanLines(result)) yield `${escapeTerminal(line)}\n`;
}

function* scanLines(result: ScanResult): Generator<string> {
  const versions = result.layers.reduce((n, l) => n + l.versions.length, 0);
  const failedVersions = result.layers.reduce(
    (n, l) => n + l.versions.filter((v) => v.status === 'failed').length,
    0
  );
  yield (
    `Scanned ${plural(result.scope.accounts.length, 'account')} (${result.scope.accounts.join(', ')}) ` +
    `in ${plural(result.scope.regions.length, 'region')} (${result.scope.regions.join(', ')})`
  );
  yield (
    `${plural(result.functions.length, 'function')}, ${plural(result.layers.length, 'layer')}, ` +
    `${plural(versions, 'layer version')}: ${versions - failedVersions} inventoried, ${failedVersions} failed`
  );

  const fnByArn = new Map(result.functions.map((f) => [f.arn, f]));
  for (const layer of result.layers) {
    yield '';
    yield `Layer ${layer.name} (owner ${layer.owner})`;
    for (const region of layer.regions) {
      const drift = result.drift.layers.find(
        (d) => d.name === layer.name && d.owner === layer.owner && d.region === region
      );
      const inRegion = layer.versions.filter((v) => v.region === region);
      const newest = drift
        ? `newest v${drift.newestVersion} ${shortDigest(drift.newestDigest)}`
        : 'no published version visible';
      yield `  ${region}: ${newest}`;
      const users = drift?.functions ?? [];
      const labelWidth = Math.min(
        40,
        Math.max(
          8,
          ...users.map((u) => (fnByArn.get(u.arn) ? fnLabel(fnByArn.get(u.arn)!) : u.arn).length)
        )
      );
      for (const u of users) {
        const f = fnByArn.get(u.arn);
        const label = f ? fnLabel(f) : u.arn;
        const acct = f && f.account !== layer.owner ? ` [account ${f.account}]` : '';
        const v = inRegion.find((x) => x.version === u.version);
        const state =
          v?.status === 'failed'
            ? `FAILED ${v.failure?.code ?? ''}`.trim()
            : u.behind === 0
              ? 'up to date'
              : `${u.behind} behind`;
        yield `    ${label.padEnd(labelWidth)}  v${String(u.version).padEnd(4)} ${shortDigest(v?.digest ?? null).padEnd(19)} ${state}${acct}`;
      }
      const unused = inRegion.filter((v) => v.usedBy.length === 0);
      if (unused.length > 0) {
        yield `    unused: ${unused.map((v) => `v${v.version}${v.status === 'failed' ? ` (FAILED ${v.failure?.code ?? ''})` : ''}`).join(', ')}`;
      }
    }
    for (const m of result.drift.digestMismatches) {
      if (m.name !== layer.name || m.owner !== layer.owner) continue;
      yield (
        `  ! v${m.version} differs across regions: ` +
        m.regions.map((r) => `${r.region} ${shortDigest(r.digest)}`).join(', ')
      );
    }
  }

  yield* renderScanImagesText(result);

  const noLayers = result.functions.filter(
    (f) => f.layers.length === 0 && f.packageType !== 'Image'
  );
  if (noLayers.length > 0) {
    yield '';
    yield `Functions without layers: ${noLayers.map(fnLabel).join(', ')}`;
  }

  const loading = result.functions.filter((f) => loadsCode(f.environment));
  if (loading.length > 0) {
    yield '';
    yield `Functions whose environment makes the runtime load code (${loading.length}; lamina verify checks them against the policy):`;
    for (const f of loading) {
      const env = f.environment!;
      const what =
        'unread' in env
          ? `variables not returned: ${env.unread}`
          : env.loaders.map(variableText).join(' ');
      yield `  ${fnLabel(f)} (${f.region})  ${what}`;
    }
  }

  const handlers = handlersToReview(result.functions);
  if (handlers.length > 0) {
    yield '';
    yield `Functions whose Handler makes the runtime load code outside their own (${handlers.length}; lamina verify fails them unless handler.allow lists the Handler):`;
    for (const h of handlers)
      yield `  ${fnLabel(h.function)} (${h.function.region})  Handler ${h.handler}: ${h.loads}`;
  }

  const configured = result.functions.filter((f) => f.image?.config !== undefined);
  if (configured.length > 0) {
    yield '';
    yield `Image functions that set their own entry point, command or working directory (${configured.length}; lamina verify reads the image as each starts it):`;
    for (const f of configured)
      yield `  ${fnLabel(f)} (${f.region})  ${imageConfigWords(f.image!.config!).join(' ')}`;
  }

  yield '';
  if (result.failures.length === 0) {
    yield 'Every function and layer version was fetched.';
  } else {
    yield `Failed (${result.failures.length}): the scan is incomplete`;
    for (const f of result.failures) {
      yield `  ${f.code}  ${f.scope} ${f.subject}`;
      yield `      ${f.reason}`;
    }
  }
}
