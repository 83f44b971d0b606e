/**
 * PyPI versions (PEP 440, https://peps.python.org/pep-0440/) through `@renovatebot/pep440`:
 * epochs, pre-, post- and dev-releases, local versions, normalisation (`1.0-RC1` is `1.0rc1`).
 * Specifiers `~=`, `==X.*`, `!=X.*` and `===` are supported beside the shared operators. Unlike
 * pip, which keeps pre-releases and local versions out of ranges when installing, a deny range
 * here holds every version its order places inside it, and a local version (`1.0+evil`) is
 * inside when either it or its public version (`1.0`) is.
 */
import type Pep440Lib from '@renovatebot/pep440';
import { requireCjs } from '../util/cjs.js';
import { compareClause, type Clause, type Ordering } from './ranges.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it twice.
const pep440 = requireCjs('@renovatebot/pep440') as typeof Pep440Lib;

/** A parsed PEP 440 version: the text (for the library's compare) and its parts. */
export interface Pep440 {
  text: string;
  epoch: number;
  release: number[];
  local: boolean;
  public: string;
}

function parse(text: string): Pep440 | undefined {
  const t = text.trim();
  const v = pep440.explain(t);
  if (!v) return undefined;
  return { text: t, epoch: v.epoch, release: v.release, local: v.local !== null, public: v.public };
}

/** `==1.2.*`: same epoch and release starting with 1.2 (missing segments are 0). */
function prefixClause(prefixText: string, negate: boolean): Clause<Pep440> {
  const p = parse(prefixText);
  if (!p || p.local) throw new Error(`${JSON.stringify(prefixText)}.* is not a PEP 440 prefix`);
  const clause: Clause<Pep440> = (v) =>
    v.epoch === p.epoch && p.release.every((n, i) => (v.release[i] ?? 0) === n);
  return negate ? (v) => !clause(v) : clause;
}

export const pep440Ordering: Ordering<Pep440> = {
  name: 'PEP 440',
  parse,
  compare: (a, b) => Math.sign(pep440.compare(a.text, b.text)),
  readings(v) {
    if (!v.local) return [];
    const pub = parse(v.public);
    return pub ? [pub] : [];
  },
  extraOps: ['~=', '==='],
  clause(op, version) {
    if ((op === '==' || op === '=' || op === '!=') && version.endsWith('.*'))
      return [prefixClause(version.slice(0, -2), op === '!=')];
    if (op === '===') {
      const want = version.trim().toLowerCase();
      return [(v) => v.text.toLowerCase() === want];
    }
    if (op === '~=') {
      const b = parse(version);
      if (!b || b.release.length < 2 || b.local)
        throw new Error(`~=${version}: needs a version with at least two release segments`);
      const prefix = `${b.epoch}!${b.release.slice(0, -1).join('.')}`;
      return [compareClause(pep440Ordering, '>=', b), prefixClause(prefix, false)];
    }
    return undefined;
  },
};
