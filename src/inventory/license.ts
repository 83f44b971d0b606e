import parseSpdx from 'spdx-expression-parse';
import type { License } from '../model/package.js';

/**
 * True when `text` parses as an SPDX license expression: ids, `WITH`, `AND`,
 * `OR`, parentheses (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/).
 */
export function isSpdxExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** A license as metadata states it: an SPDX expression when the text parses as one, else a name. */
export function licenseOf(text: string): License | undefined {
  const t = text.trim();
  if (!t) return undefined;
  return isSpdxExpression(t) ? { $case: 'expression', expression: t } : { $case: 'name', name: t };
}
