/**
 * The scan as Markdown for a pull-request comment or an issue (pure): a summary table first,
 * then drift, package differences, failures and the estate's multi-version packages, each folded.
 */
import { loadsCode, type ScanResult } from '../scan/result.js';
import { mdCode, mdText } from '../util/escape.js';
import { limitRows, mdDetails, mdTable } from './markdown.js';
import { packageDiffDetails, summaryLine } from './package-diff.js';
import { handlersToReview } from './scan-handlers.js';
import { imagePlace, imageState, scanImagesView, type ScanImagesView } from './scan-images.js';
import { imageConfigWords, plural, shortDigest, variableText } from './words.js';

export interface ScanMarkdownOptions {
  /** Heading level of the title (default 2). */
  level?: number;
  /** Most rows per table (default 100). */
  maxRows?: number;
}

const fnLabel = (arn: string) => {
  const p = arn.split(':');
  return p.length >= 7 ? `${p[6]}${p[7] && p[7] !== '$LATEST' ? `:${p[7]}` : ''}` : arn;
};

export function renderScanMarkdown(result: ScanResult, options: ScanMarkdownOptions = {}): string {
  const h = '#'.repeat(options.level ?? 2);
  const max = options.maxRows ?? 100;
  const versions = result.layers.flatMap((l) => l.versions);
  const failed = versions.filter((v) => v.status === 'failed').length;
  const drift = result.drift;
  const lagging = drift.layers.filter((d) => d.functions.some((f) => f.behind > 0));
  const behind = new Set(
    drift.layers.flatMap((d) => d.functions.filter((f) => f.behind > 0).map((f) => f.arn))
  );
  const multi = (drift.packages ?? []).filter((p) => p.versions.length > 1);

  const out: string[] = [];
  out.push(
    `${h} lamina scan`,
    '',
    `${plural(result.scope.accounts.length, 'account')} (${result.scope.accounts.map(mdCode).join(', ')}), ` +
      `${plural(result.scope.regions.length, 'region')} (${result.scope.regions.map(mdCode).join(', ')}).`,
    ''
  );
  const rows: [string, string][] = [
    ['Functions', String(result.functions.length)],
    ['Functions behind on a layer', String(behind.size)],
    ['Layers', String(result.layers.length)],
    ['Layer versions inventoried', String(versions.length - failed)],
    ['Layer versions that failed', String(failed)],
    ['Layers with functions behind', String(lagging.length)],
    ['Version numbers with different bytes across regions', String(drift.digestMismatches.length)],
  ];
  if (drift.packages)
    rows.push(['Packages deployed at more than one version', String(multi.length)]);
  const images = scanImagesView(result);
  if (images)
    rows.push(
      ['Image functions', String(images.functionCount)],
      ['Image findings', String(images.findings.length)],
      ['Image functions whose image failed', String(images.failed.length)]
    );
  const loading = result.functions.filter((f) => loadsCode(f.environment));
  if (loading.length > 0)
    rows.push(['Functions whose environment makes the runtime load code', String(loading.length)]);
  const handlers = handlersToReview(result.functions);
  if (handlers.length > 0)
    rows.push([
      'Functions whose Handler makes the runtime load code outside their own',
      String(handlers.length),
    ]);
  rows.push(['Failures', String(result.failures.length)]);
  out.push(mdTable(['', 'Count'], rows, ['l', 'r']), '');
  if (result.failures.length > 0)
    out.push(
      `> **Incomplete.** ${plural(result.failures.length, 'item')} could not be fetched; see Failures.`,
      ''
    );

  if (lagging.length > 0) {
    const lrows = lagging.map((d) => {
      const behindFns = d.functions.filter((f) => f.behind > 0);
      return [
        `${mdText(d.name)} ${mdCode(d.owner)}`,
        mdCode(d.region),
        `v${d.newestVersion}`,
        String(d.functions.length - behindFns.length),
        String(behindFns.length),
        String(Math.max(...behindFns.map((f) => f.behind))),
      ];
    });
    out.push(
      mdDetails(
        `Drift: ${plural(lagging.length, 'layer')} with functions behind`,
        mdTable(
          ['Layer', 'Region', 'Newest', 'Up to date', 'Behind', 'Most behind'],
          limitRows(lrows, max),
          ['l', 'l', 'l', 'r', 'r', 'r']
        )
      ),
      ''
    );
  }

  for (const l of drift.layerDiffs ?? []) {
    const body: string[] = [];
    body.push(
      mdTable(
        ['Version', 'Functions', 'Behind', 'Moving to the newest changes'],
        l.inUse.map((u) => [
          `v${u.version} ${mdCode(shortDigest(u.digest))}`,
          String(u.functions.length),
          String(u.behind),
          u.version === l.newestVersion
            ? '(newest)'
            : u.diff
              ? mdText(summaryLine(u.diff.summary))
              : `unavailable: ${mdText(u.diffUnavailable ?? '')}`,
        ]),
        ['l', 'r', 'r', 'l']
      ),
      ''
    );
    for (const u of l.inUse) {
      if (!u.diff) continue;
      body.push(`**v${u.version} → v${l.newestVersion}**`, '', ...packageDiffDetails(u.diff, max));
      const hidden = u.catchUp.filter((e) => !e.sameAsLayerDiff && e.diff);
      for (const e of hidden)
        body.push(
          `For ${e.functions
            .slice(0, 5)
            .map((f) => mdCode(fnLabel(f)))
            .join(', ')}${e.functions.length > 5 ? ` and ${e.functions.length - 5} more` : ''} ` +
            `other layers change the effect: ${mdText(summaryLine(e.diff!.summary))}.`,
          ''
        );
    }
    out.push(
      mdDetails(
        `Package differences: ${mdText(l.name)} in ${mdCode(l.region)} (${plural(l.inUse.length, 'version')} in use, newest v${l.newestVersion})`,
        body.join('\n')
      ),
      ''
    );
  }

  for (const r of drift.regionDiffs ?? []) {
    const body = r.others.map((o) =>
      [
        `${o.regions.map(mdCode).join(', ')} ${mdCode(shortDigest(o.digest))} against ${r.baseline.regions.map(mdCode).join(', ')} ${mdCode(shortDigest(r.baseline.digest))}: ` +
          (o.diff
            ? mdText(summaryLine(o.diff.summary))
            : `unavailable: ${mdText(o.diffUnavailable ?? '')}`),
        '',
        ...(o.diff ? packageDiffDetails(o.diff, max) : []),
      ].join('\n')
    );
    out.push(
      mdDetails(
        `Across regions: ${mdText(r.name)} v${r.version} has different bytes`,
        body.join('\n\n')
      ),
      ''
    );
  }

  if (multi.length > 0) {
    const prow = multi.map((p) => [
      mdText(p.name),
      mdCode(p.key),
      p.versions
        .map((v) => `${mdText(v.version ?? '(none)')} (${plural(v.functions.length, 'function')})`)
        .join(', '),
    ]);
    out.push(
      mdDetails(
        `Packages deployed at more than one version (${multi.length})`,
        mdTable(['Package', 'Key', 'Versions in use'], limitRows(prow, max))
      ),
      ''
    );
  }

  if (loading.length > 0) {
    const erows = loading.map((f) => {
      const env = f.environment!;
      return [
        mdCode(fnLabel(f.arn)),
        mdCode(f.region),
        'unread' in env
          ? `variables not returned: ${mdText(env.unread)}`
          : env.loaders.map((v) => mdCode(variableText(v))).join(' '),
      ];
    });
    out.push(
      mdDetails(
        `Functions whose environment makes the runtime load code (${loading.length}; \`lamina verify\` checks them against the policy)`,
        mdTable(['Function', 'Region', 'Variables'], limitRows(erows, max))
      ),
      ''
    );
  }

  if (handlers.length > 0) {
    const hrows = handlers.map((h) => [
      mdCode(fnLabel(h.function.arn)),
      mdCode(h.function.region),
      mdCode(h.handler),
      mdText(h.loads),
    ]);
    out.push(
      mdDetails(
        `Functions whose Handler makes the runtime load code outside their own (${handlers.length}; \`lamina verify\` fails them unless \`handler.allow\` lists the Handler)`,
        mdTable(['Function', 'Region', 'Handler', 'The runtime loads'], limitRows(hrows, max))
      ),
      ''
    );
  }

  const configured = result.functions.filter((f) => f.image?.config !== undefined);
  if (configured.length > 0) {
    const crows = configured.map((f) => [
      mdCode(fnLabel(f.arn)),
      mdCode(f.region),
      imageConfigWords(f.image!.config!).map(mdCode).join(' '),
    ]);
    out.push(
      mdDetails(
        `Image functions that set their own entry point, command or working directory (${configured.length}; \`lamina verify\` reads the image as each starts it)`,
        mdTable(['Function', 'Region', 'Settings'], limitRows(crows, max))
      ),
      ''
    );
  }

  if (images) out.push(...imagesMarkdown(images, max));

  if (result.failures.length > 0) {
    const frows = result.failures.map((f) => [
      mdCode(f.code),
      f.scope,
      mdCode(f.subject),
      mdText(f.reason),
    ]);
    out.push(
      mdDetails(
        `Failures (${result.failures.length})`,
        mdTable(['Code', 'Scope', 'Subject', 'Reason'], limitRows(frows, max))
      ),
      ''
    );
  }
  return out.join('\n').trimEnd() + '\n';
}

/** The images section: a table per repository, then the findings and the failed functions. */
function imagesMarkdown(v: ScanImagesView, max: number): string[] {
  const body: string[] = [];
  for (const r of v.repositories) {
    body.push(
      `**${mdCode(r.repository)}** (${mdText(r.tagMutability ?? 'not described')})${r.failure ? `: failed ${mdCode(r.failure.code)} ${mdText(r.failure.reason)}` : ''}`,
      ''
    );
    if (r.images.length === 0) continue;
    const rows = r.images.map((i) => [
      mdCode(shortDigest(i.digest)),
      mdText(imagePlace(i)),
      mdText(imageState(i)),
      i.functions.map(mdText).join('<br>') || '(none)',
    ]);
    body.push(
      mdTable(['Digest', 'Tags and push order', 'Read', 'Functions'], limitRows(rows, max)),
      ''
    );
  }
  if (v.findings.length > 0) {
    const rows = v.findings.map((f) => [
      f.severity,
      mdCode(f.kind),
      mdText(f.subject),
      mdText(f.message),
    ]);
    body.push(
      `**Image findings (${v.findings.length})**`,
      '',
      mdTable(['Severity', 'Kind', 'Function or repository', 'Finding'], limitRows(rows, max)),
      ''
    );
  }
  if (v.failed.length > 0) {
    const rows = v.failed.map((f) => [
      mdText(f.function),
      mdCode(f.image),
      mdCode(f.code),
      mdText(f.reason),
    ]);
    body.push(
      `**Image functions whose image failed (${v.failed.length})**`,
      '',
      mdTable(['Function', 'Image', 'Code', 'Reason'], limitRows(rows, max)),
      ''
    );
  }
  return [
    mdDetails(
      `Images: ${plural(v.functionCount, 'image function')} in ${plural(v.repositories.length, 'repository', 'repositories')}`,
      body.join('\n').trimEnd()
    ),
    '',
  ];
}
