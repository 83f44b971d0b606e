import type { Verdict } from '../verify/verdict.js';
import { renderVerdictJson } from './verdict-json.js';
import { renderVerdictsMarkdown } from './verdict-markdown.js';
import { renderVerdictSarif, type SarifOptions } from './verdict-sarif.js';
import { renderVerdictText, type VerdictTextOptions } from './verdict-text.js';

/** The formats verdicts are reported in. */
export const VERDICT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type VerdictFormat = (typeof VERDICT_FORMATS)[number];

/** Options each format takes (the others ignore them). */
export type VerdictRenderOptions = SarifOptions & VerdictTextOptions;

/** Render verdicts in a format. */
export function renderVerdicts(
  verdicts: readonly Verdict[],
  format: VerdictFormat,
  options: VerdictRenderOptions = {}
): string {
  if (format === 'json') return renderVerdictJson(verdicts);
  if (format === 'sarif') return renderVerdictSarif(verdicts, options);
  if (format === 'markdown') return renderVerdictsMarkdown(verdicts);
  return renderVerdictText(verdicts, options);
}
