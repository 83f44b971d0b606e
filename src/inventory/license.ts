import type ParseSpdx from 'spdx-expression-parse';
import { requireCjs } from '../util/cjs.js';
import type { License } from '../model/package.js';

const parseSpdx = requireCjs('spdx-expression-parse') as typeof ParseSpdx;

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

/**
 * License URLs that name exactly one SPDX license (scheme, `www.` and a trailing `/`, `.txt`,
 * `.html` or `.php` ignored). URLs that cover several licenses or versions (GPL "or later"
 * pages, a project's own LICENSE file) are left as they are.
 */
const LICENSE_URLS: ReadonlyMap<string, string> = new Map([
  ['apache.org/licenses/license-2.0', 'Apache-2.0'],
  ['opensource.org/licenses/apache-2.0', 'Apache-2.0'],
  ['opensource.org/licenses/mit', 'MIT'],
  ['opensource.org/licenses/mit-license', 'MIT'],
  ['opensource.org/licenses/bsd-2-clause', 'BSD-2-Clause'],
  ['opensource.org/licenses/bsd-3-clause', 'BSD-3-Clause'],
  ['eclipse.org/legal/epl-v10', 'EPL-1.0'],
  ['eclipse.org/legal/epl-2.0', 'EPL-2.0'],
  ['eclipse.org/org/documents/edl-v10', 'BSD-3-Clause'],
  ['opensource.org/licenses/epl-1.0', 'EPL-1.0'],
  ['opensource.org/licenses/epl-2.0', 'EPL-2.0'],
  ['mozilla.org/mpl/2.0', 'MPL-2.0'],
  ['opensource.org/licenses/mpl-2.0', 'MPL-2.0'],
  ['opensource.org/licenses/cddl-1.0', 'CDDL-1.0'],
]);

/** The SPDX id a license URL names unambiguously, else undefined. */
export function spdxIdOfLicenseUrl(url: string): string | undefined {
  const key = url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\/(www\.)?/, '')
    .replace(/\/+$/, '')
    .replace(/\.(txt|html?|php)$/, '');
  return LICENSE_URLS.get(key);
}
