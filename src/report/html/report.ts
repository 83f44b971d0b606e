/**
 * A single-file HTML report (pure): no network, no external assets. Styles and script are
 * inline and pinned by a Content-Security-Policy with their hashes, so the page can load
 * nothing else and run no other script. The data travels as a JSON block the script renders.
 * https://www.w3.org/TR/CSP3/#grammardef-hash-source
 */
import { createHash } from 'node:crypto';
import { escapeForScript, htmlText } from '../../util/escape.js';
import { jsonPieces } from '../../scan/result-stream.js';
import { CLIENT_JS } from './client.js';
import { buildReportData, type HtmlReportInput, type ReportData } from './data.js';
import { imagePlace, imageState } from '../scan-images.js';
import { plural, shortDigest } from '../words.js';

export type { HtmlReportInput } from './data.js';

// Colours: every text/background pair has at least 7:1 contrast (WCAG 2 AAA for normal text).
const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4a525c; --line: #c9ced6; --bg: #ffffff;
  --ok-bg: #dff3e6; --ok-fg: #0d3b1e; --warn-bg: #fff0c2; --warn-fg: #4d3700;
  --bad-bg: #fde0df; --bad-fg: #6b0d0d; --none-bg: #f3f4f6; --focus: #1a56db; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main, nav { max-width: 1400px; margin: 0 auto; padding: 0 1rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.meta, .owner, .region { color: var(--muted); }
nav ul { list-style: none; padding: 0; margin: .5rem 0; display: flex; flex-wrap: wrap; gap: 1rem; }
a { color: #0b4fb3; }
.skip { position: absolute; left: -10000px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 1px; }
table { border-collapse: collapse; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eef0f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; max-width: 100%; }
.summary td { text-align: right; font-variant-numeric: tabular-nums; }
.t-bad { background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
.t-good { background: var(--ok-bg); color: var(--ok-fg); }
.controls, .pager { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: center; margin: .5rem 0; }
.pager .page { min-width: 9rem; text-align: center; }
button, input, select { font: inherit; }
button { padding: .25rem .7rem; border: 1px solid #5b6470; border-radius: 4px; background: #f7f8fa; color: var(--fg); cursor: pointer; }
button:disabled { color: #5b6470; cursor: default; }
#matrix th.layer { cursor: pointer; min-width: 7rem; }
#matrix th.layer span, #matrix th[scope=row] span { display: block; }
#matrix .lname, #matrix .fname { font-weight: 600; }
#matrix td.cell { white-space: nowrap; cursor: pointer; font-variant-numeric: tabular-nums; }
.s-ok { background: var(--ok-bg); color: var(--ok-fg); }
.s-behind, .s-warn { background: var(--warn-bg); color: var(--warn-fg); }
.s-failed, .s-fail { background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
.none { background: var(--none-bg); }
.v-fail { background: var(--bad-bg); color: var(--bad-fg); font-weight: 600; }
.v-pass { background: var(--ok-bg); color: var(--ok-fg); }
.v-warn { background: var(--warn-bg); color: var(--warn-fg); }
.v-none { color: var(--muted); }
.legend { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.legend li { padding: .15rem .5rem; border: 1px solid var(--line); }
#detail { border: 2px solid var(--focus); padding: 0 1rem 1rem; margin-top: 1rem; }
#detail h2 { margin-top: .8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.note { background: var(--warn-bg); color: var(--warn-fg); padding: .4rem .6rem; }
.diff { margin: 1rem 0; }
table.compact td, table.compact th { padding: .15rem .5rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .92em; }
`;

const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

function summaryTable(d: ReportData): string {
  const rows = d.summary
    .map(
      (s) =>
        `<tr><th scope="row">${htmlText(s.label)}</th><td class="${s.tone === 'bad' && s.value > 0 ? 't-bad' : s.tone === 'good' ? 't-good' : ''}">${s.value}</td></tr>`
    )
    .join('');
  return `<table class="summary"><caption>Estate at a glance</caption><tbody>${rows}</tbody></table>`;
}

function changesSection(d: ReportData): string {
  const c = d.changes;
  if (!c) return '';
  const rows = c.kinds
    .map(
      (k) =>
        `<tr><th scope="row">${htmlText(k.title)}${k.failing ? ' <strong>(fails the run)</strong>' : ''}</th><td><code>${htmlText(k.kind)}</code></td><td class="num${k.failing && k.count > 0 ? ' t-bad' : ''}">${k.count}</td></tr>`
    )
    .join('');
  const unavailable = c.unavailable.length
    ? `<p class="note">Not compared (changes of these kinds may be missing): ${c.unavailable.map(htmlText).join('; ')}</p>`
    : '';
  return `<section aria-labelledby="changes-h"><h2 id="changes-h">Changes since scan ${c.from.scan}</h2>
<p class="meta">From scan ${c.from.scan} (${htmlText(c.from.finishedAt)}) to scan ${c.to.scan} (${htmlText(c.to.finishedAt)}).</p>
<table class="data"><caption>Changes by kind</caption><thead><tr><th scope="col">Change</th><th scope="col">Kind</th><th scope="col" class="num">Count</th></tr></thead><tbody>${rows}</tbody></table>
${unavailable}<div id="changes-body"></div></section>`;
}

/**
 * A table with a caption (HTML, escaped) in a scrolling region keyboard users can reach and
 * screen readers can name (`label`, plain text); cells are HTML already escaped.
 */
function dataTable(caption: string, label: string, headers: string[], rows: string[][]): string {
  const head = headers.map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll" tabindex="0" role="region" aria-label="${htmlText(label)}"><table class="data compact"><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The images section (rendered here, not by the script: it is short and complete without it). */
function imagesSection(d: ReportData): string {
  const v = d.images;
  if (!v) return '';
  const code = (s: string): string => `<code>${htmlText(s)}</code>`;
  const parts: string[] = [
    `<p>${plural(v.functionCount, 'image function')} in ${plural(v.repositories.length, 'repository', 'repositories')}.</p>`,
  ];
  for (const r of v.repositories) {
    const caption = `${code(r.repository)} (${htmlText(r.tagMutability ?? 'not described')})`;
    if (r.failure)
      parts.push(
        `<p class="note">${caption}: could not be described: ${code(r.failure.code)} ${htmlText(r.failure.reason)}</p>`
      );
    if (r.images.length === 0) continue;
    parts.push(
      dataTable(
        caption,
        `Images of ${r.repository}`,
        ['Digest', 'Tags and push order', 'Read', 'Functions'],
        r.images.map((i) => [
          `<span title="${htmlText(i.digest)}">${code(shortDigest(i.digest))}</span>`,
          htmlText(imagePlace(i)),
          i.status === 'failed'
            ? `<span class="s-failed">${htmlText(imageState(i))}</span>`
            : htmlText(imageState(i)),
          i.functions.map(htmlText).join('<br>') || '(none)',
        ])
      )
    );
  }
  if (v.findings.length > 0)
    parts.push(
      dataTable(
        `Image findings (${v.findings.length})`,
        'Image findings',
        ['Severity', 'Kind', 'Function or repository', 'Finding'],
        v.findings.map((f) => [
          `<span class="${f.severity === 'error' ? 'v-fail' : f.severity === 'warning' ? 'v-warn' : 'v-none'}">${htmlText(f.severity)}</span>`,
          code(f.kind),
          htmlText(f.subject),
          htmlText(f.message),
        ])
      )
    );
  if (v.failed.length > 0)
    parts.push(
      dataTable(
        `Image functions whose image failed (${v.failed.length})`,
        'Image functions whose image failed',
        ['Function', 'Image', 'Code', 'Reason'],
        v.failed.map((f) => [htmlText(f.function), code(f.image), code(f.code), htmlText(f.reason)])
      )
    );
  return `<section aria-labelledby="images-h"><h2 id="images-h">Images</h2>${parts.join('\n')}</section>`;
}

/** Render the report. Deterministic: the same input gives the same bytes. */
export function renderHtmlReport(input: HtmlReportInput): string {
  return [...htmlReportChunks(input)].join('');
}

/**
 * The report as pieces whose concatenation is {@link renderHtmlReport}'s: its data written
 * element by element, so a large estate's page (35 MB at 100,000 functions) is never one string.
 */
export function* htmlReportChunks(input: HtmlReportInput): Generator<string> {
  const d = buildReportData(input);
  const script = CLIENT_JS;
  const csp = [
    "default-src 'none'",
    `style-src ${hash(CSS)}`,
    `script-src ${hash(script)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const nav: [string, string][] = [
    ['summary-h', 'Summary'],
    ...(d.changes ? ([['changes-h', 'Changes']] as [string, string][]) : []),
    ['matrix-h', 'Drift matrix'],
    ['packages-h', 'Packages'],
    ...(d.regionDiffs.length ? ([['regions-h', 'Across regions']] as [string, string][]) : []),
    ...(d.images ? ([['images-h', 'Images']] as [string, string][]) : []),
    ...(d.environment.length ? ([['environment-h', 'Environments']] as [string, string][]) : []),
    ...(d.handlers.length ? ([['handlers-h', 'Handlers']] as [string, string][]) : []),
    ...(d.imageConfigs.length
      ? ([['image-config-h', 'Image settings']] as [string, string][])
      : []),
    ...(d.verdicts ? ([['verdicts-h', 'Verdicts']] as [string, string][]) : []),
    ['failures-h', 'Failures'],
  ];
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${htmlText(d.title)}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#matrix-h">Skip to the drift matrix</a>
<header>
<h1>${htmlText(d.title)}</h1>
<p class="meta">Accounts ${d.scope.accounts.map(htmlText).join(', ') || '(none)'}; regions ${d.scope.regions.map(htmlText).join(', ') || '(none)'}.${d.generatedAt ? ` Generated ${htmlText(d.generatedAt)}.` : ''}</p>
</header>
<nav aria-label="Sections"><ul>${nav.map(([id, label]) => `<li><a href="#${id}">${label}</a></li>`).join('')}</ul></nav>
<main>
<div id="status" class="visually-hidden" role="status" aria-live="polite"></div>
<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>${summaryTable(d)}</section>
${changesSection(d)}
<section aria-labelledby="matrix-h"><h2 id="matrix-h" tabindex="-1">Drift matrix</h2>
<p id="matrix-help">Rows are functions, columns are layers. Each cell shows the layer version the function uses, how many versions it is behind the newest, and the layer's verdict. Use the arrow keys to move between cells and Enter to open a cell's package differences or a layer's versions.</p>
<ul class="legend" aria-label="Legend"><li class="s-ok">up to date</li><li class="s-behind">behind or warned</li><li class="s-fail">failed verdict or unreadable</li><li class="none">layer not attached</li></ul>
<noscript><p class="note">The matrix and the tables below need JavaScript; the summary above is complete without it.</p></noscript>
<div class="controls" role="group" aria-label="Matrix filters">
<label for="m-filter">Filter functions</label> <input id="m-filter" type="search" autocomplete="off">
<label><input id="m-problems" type="checkbox"> Only functions behind or failing</label>
<label for="m-size">Functions per page</label> <select id="m-size"><option>25</option><option selected>50</option><option>100</option><option>200</option></select>
<span id="m-count"></span>
</div>
<div class="pager" id="m-pager"></div>
<div class="pager" id="m-colpager"></div>
<div class="scroll"><table id="matrix" role="grid" aria-labelledby="matrix-h" aria-describedby="matrix-help"></table></div>
</section>
<section id="detail" aria-labelledby="detail-h" hidden><h2 id="detail-h" tabindex="-1">Details</h2><div id="detail-body"></div><p><button id="detail-back" type="button">Back to the matrix</button></p></section>
<section aria-labelledby="packages-h"><h2 id="packages-h">Packages deployed at more than one version</h2>${d.packages.length ? '' : '<p>None: every package the functions see is at one version.</p>'}<div id="packages-body"></div></section>
${d.regionDiffs.length ? '<section aria-labelledby="regions-h"><h2 id="regions-h">Same version number, different bytes across regions</h2><div id="regions-body"></div></section>' : ''}
${imagesSection(d)}
${d.environment.length ? '<section aria-labelledby="environment-h"><h2 id="environment-h">Functions whose environment makes the runtime load code</h2><p>These variables make the runtime load code before the handler; <code>lamina verify</code> checks them against the policy.</p><div id="environment-body"></div></section>' : ''}
${d.handlers.length ? '<section aria-labelledby="handlers-h"><h2 id="handlers-h">Functions whose Handler makes the runtime load code outside their own</h2><p>The runtime loads these Handlers&#39; code from outside the function&#39;s directory (a layer&#39;s file no package holds), or lamina cannot tell what it loads; <code>lamina verify</code> fails them unless <code>handler.allow</code> lists the Handler. Every Handler is in <code>scan.json</code>.</p><div id="handlers-body"></div></section>' : ''}
${d.imageConfigs.length ? '<section aria-labelledby="image-config-h"><h2 id="image-config-h">Image functions with their own entry point, command or working directory</h2><p>These settings replace the image config&#39;s when Lambda starts the image, so the image&#39;s SBOM does not describe what they run; <code>lamina verify</code> reads the image as each function starts it.</p><div id="image-config-body"></div></section>' : ''}
${d.verdicts ? `<section aria-labelledby="verdicts-h"><h2 id="verdicts-h">Verdicts</h2>${d.verdicts.length ? '' : '<p>No verdicts.</p>'}<div id="verdicts-body"></div></section>` : ''}
<section aria-labelledby="failures-h"><h2 id="failures-h">Failures</h2>${d.failures.length ? '' : '<p>Every function and layer version was fetched.</p>'}<div id="failures-body"></div></section>
</main>
<script type="application/json" id="lamina-data">`;
  yield* jsonPieces(d, 2, 'split', { compact: true, escape: escapeForScript });
  yield `</script>
<script>${script}</script>
</body>
</html>
`;
}
