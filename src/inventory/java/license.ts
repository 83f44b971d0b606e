import parseSpdx from 'spdx-expression-parse';
import type { License } from '../../model/package.js';

/**
 * A license as metadata states it: an SPDX expression when the text parses as
 * one (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/), else
 * the text kept as a name.
 */
// TODO(lead): shared by the java and ruby catalogers; move to src/inventory/license.ts if others need it.
export function licenseOf(text: string): License | undefined {
  const t = text.trim();
  if (!t) return undefined;
  try {
    parseSpdx(t);
    return { $case: 'expression', expression: t };
  } catch {
    return { $case: 'name', name: t };
  }
}
