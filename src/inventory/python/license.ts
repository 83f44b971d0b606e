import type { License } from '../../model/package.js';
import { isSpdxExpression } from '../license.js';
import type { CoreMetadata } from './metadata.js';

/**
 * Trove license classifiers that name exactly one SPDX license. The generic
 * `BSD License` and `Apache Software License` classifiers name no version or
 * clause count, so they stay names rather than a guessed id.
 * https://pypi.org/classifiers/ , https://spdx.org/licenses/
 */
const CLASSIFIER_SPDX: Record<string, string> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Mozilla Public License 1.1 (MPL 1.1)': 'MPL-1.1',
  'Python Software Foundation License': 'PSF-2.0',
  'The Unlicense (Unlicense)': 'Unlicense',
  'Zero-Clause BSD (0BSD)': '0BSD',
  'Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'European Union Public Licence 1.2 (EUPL 1.2)': 'EUPL-1.2',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
};

/**
 * Free-text License values that name one license unambiguously, keyed by
 * lowercased text with punctuation collapsed to single spaces.
 */
const TEXT_SPDX: Record<string, string> = {
  'apache 2': 'Apache-2.0',
  'apache 2 0': 'Apache-2.0',
  'apache license 2 0': 'Apache-2.0',
  'apache license version 2 0': 'Apache-2.0',
  'apache software license 2 0': 'Apache-2.0',
  'asl 2': 'Apache-2.0',
  'asl 2 0': 'Apache-2.0',
  'mit license': 'MIT',
  'the mit license': 'MIT',
  'bsd 3 clause': 'BSD-3-Clause',
  'bsd 3 clause license': 'BSD-3-Clause',
  'new bsd license': 'BSD-3-Clause',
  'modified bsd license': 'BSD-3-Clause',
  'bsd 2 clause': 'BSD-2-Clause',
  'bsd 2 clause license': 'BSD-2-Clause',
  'simplified bsd license': 'BSD-2-Clause',
};

function knownText(text: string): string | undefined {
  return TEXT_SPDX[
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()
  ];
}

function spdxExpression(text: string): string | undefined {
  const t = text.trim();
  return t && isSpdxExpression(t) ? t : undefined;
}

/**
 * Licenses from core metadata, most precise first: License-Expression
 * (metadata 2.4), then License when it is a valid SPDX expression or a common
 * unambiguous spelling of one (`Apache 2.0`), then license classifiers mapped to
 * SPDX ids, then the License text (one line) or the classifier names as names.
 */
export function pythonLicenses(meta: CoreMetadata): License[] {
  const expr = meta.get('license-expression');
  if (expr) {
    return [
      spdxExpression(expr)
        ? { $case: 'expression', expression: expr }
        : { $case: 'name', name: expr },
    ];
  }
  const text = meta.get('license');
  if (text && spdxExpression(text)) return [{ $case: 'expression', expression: text }];
  const alias = text ? knownText(text) : undefined;
  if (alias) return [{ $case: 'expression', expression: alias }];

  const classifiers = meta
    .all('classifier')
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').map((s) => s.trim()))
    .map((parts) => parts.at(-1) ?? '')
    .filter((leaf) => leaf && leaf !== 'OSI Approved');
  const ids = classifiers.map((leaf) => CLASSIFIER_SPDX[leaf]);
  if (ids.length > 0 && ids.every((id) => id !== undefined)) {
    return [...new Set(ids)].map((id) => ({ $case: 'expression', expression: id }));
  }
  // A License field sometimes holds the whole license text; only a one-line value is a name.
  if (text && !text.includes('\n') && text.length <= 200) return [{ $case: 'name', name: text }];
  return [...new Set(classifiers)].map((leaf) => {
    const id = CLASSIFIER_SPDX[leaf];
    return id ? { $case: 'expression', expression: id } : { $case: 'name', name: leaf };
  });
}
