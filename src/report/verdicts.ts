import type { Verdict } from '../verify/verdict.js';
import { renderVerdictJson } from './verdict-json.js';
import { renderVerdictsMarkdown } from './verdict-markdown.js';
import { renderVerdictSarif } from './verdict-sarif.js';
import { renderVerdictText } from './verdict-text.js';

/** The formats verdicts are reported in. */
export const VERDICT_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
export type VerdictFormat = (typeof VERDICT_FORMATS)[number];

/** Render verdicts in a format. */
export function renderVerdicts(verdicts: readonly Verdict[], format: VerdictFormat): string {
  if (format === 'json') return renderVerdictJson(verdicts);
  if (format === 'sarif') return renderVerdictSarif(verdicts);
  if (format === 'markdown') return renderVerdictsMarkdown(verdicts);
  return renderVerdictText(verdicts);
}
