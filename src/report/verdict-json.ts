/** JSON rendering of verdicts (stable key order as built; no timestamps). */
import type { Verdict } from '../verify/verdict.js';
import { escapeJsonText } from '../util/escape.js';

/** `{ ok, verdicts }` as pretty JSON. */
export function renderVerdictJson(verdicts: readonly Verdict[]): string {
  return (
    escapeJsonText(JSON.stringify({ ok: verdicts.every((v) => v.ok), verdicts }, null, 2)) + '\n'
  );
}
