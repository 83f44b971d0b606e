/**
 * How a requirement applies: always, only under an environment marker, or
 * only when an extra is requested.
 */
export type RequirementKind = 'required' | 'conditional' | 'extra';

export interface Requirement {
  /** Project name as written (normalise with pep503 before comparing). */
  name: string;
  kind: RequirementKind;
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;

/**
 * A PEP 508 requirement (`Requires-Dist` value): the name and whether a marker
 * restricts it. Markers are not evaluated: any mention of `extra` makes it an
 * extra, any other marker makes it conditional.
 * https://packaging.python.org/en/latest/specifications/dependency-specifiers/
 */
export function parseRequirement(spec: string): Requirement | undefined {
  const name = NAME.exec(spec)?.[1];
  if (!name) return undefined;
  const semi = spec.indexOf(';');
  const marker = semi < 0 ? '' : spec.slice(semi + 1).trim();
  return { name, kind: markerKind(marker) };
}

function markerKind(marker: string): RequirementKind {
  if (!marker) return 'required';
  return /\bextra\b/.test(marker) ? 'extra' : 'conditional';
}

/**
 * setuptools' `requires.txt` in an egg-info directory: requirement lines, then
 * sections `[extra]`, `[extra:marker]` or `[:marker]`.
 * https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html#requires-txt
 */
export function parseRequiresTxt(text: string): Requirement[] {
  const out: Requirement[] = [];
  let kind: RequirementKind = 'required';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [extra = '', marker = ''] = (section[1] ?? '').split(':');
      kind = extra.trim() ? 'extra' : markerKind(marker.trim());
      continue;
    }
    const req = parseRequirement(line);
    if (!req) continue;
    const kinds = [kind, req.kind];
    out.push({
      name: req.name,
      kind: kinds.includes('extra')
        ? 'extra'
        : kinds.includes('conditional')
          ? 'conditional'
          : 'required',
    });
  }
  return out;
}
