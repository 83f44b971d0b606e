import type { License } from '../../model/package.js';
import { licenseOf } from '../license.js';

/**
 * Licenses a package.json declares: the `license` string (SPDX expression,
 * `SEE LICENSE IN <file>`, `UNLICENSED`), or the legacy `license: {type}` object
 * and `licenses: [{type}]` array.
 * https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license
 */
export function npmLicenses(pkg: Record<string, unknown>): License[] {
  const out: License[] = [];
  const add = (v: unknown): void => {
    const text =
      typeof v === 'string'
        ? v
        : v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string'
          ? (v as { type: string }).type
          : undefined;
    const l = text === undefined ? undefined : licenseOf(text);
    if (l && !out.some((o) => JSON.stringify(o) === JSON.stringify(l))) out.push(l);
  };
  add(pkg.license);
  if (Array.isArray(pkg.licenses)) for (const l of pkg.licenses as unknown[]) add(l);
  return out;
}
