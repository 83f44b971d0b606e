/**
 * Where in the policy file a verdict's rule and each check's outcome are written, so reports can
 * point at the line (SARIF locations, the text report). Pure; uses the lines the policy loader
 * recorded (`LoadedPolicy.lines`).
 */
import type { LoadedPolicy, Policy } from './policy/types.js';
import type { CheckResult, Verdict } from './verdict.js';

/** Line of the node at `pointer`, or of its nearest recorded ancestor; undefined without lines. */
export function policyLine(loaded: LoadedPolicy, pointer: string): number | undefined {
  const lines = loaded.lines;
  if (!lines) return undefined;
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const line = lines.get(p);
    if (line !== undefined) return line;
    if (p === '') return undefined;
  }
}

/** The JSON pointer of the policy entry a check evaluated. */
export function checkPointer(c: CheckResult, v: Verdict, policy: Policy): string {
  if (c.kind === 'default') return '/default';
  if (c.kind === 'rule') {
    // An undecided selection: the first rule that may apply is where facts are missing.
    const first = (c.evidence['candidates'] as unknown[] | undefined)?.[0];
    const m = typeof first === 'string' ? /^(layers|functions|images)\[(\d+)\]$/.exec(first) : null;
    return m ? `/${m[1]}/${m[2]}` : '';
  }
  if (!v.rule) return '/default';
  const base = `/${v.rule.section}/${v.rule.index}`;
  const rule = v.rule.section === 'layers' ? policy.layers?.[v.rule.index] : undefined;
  const image = v.rule.section === 'images' ? policy.images?.[v.rule.index] : undefined;
  const signers = rule?.signers ?? image?.signers;
  const anchor = /^(?:signer|sigstore):(.+)$/.exec(c.id)?.[1];
  if (anchor !== undefined) {
    const j = signers?.anyOf.indexOf(anchor) ?? -1;
    return j >= 0 ? `${base}/signers/anyOf/${j}` : `${base}/signers`;
  }
  switch (c.id) {
    case 'digest': {
      const pin = c.evidence['pin'] as { sha256?: unknown; digest?: unknown; index?: unknown };
      const j = image
        ? (image.pins?.findIndex((p) => p.digest === pin?.digest && p.index === pin?.index) ?? -1)
        : (rule?.pins?.findIndex((p) => p.sha256 === pin?.sha256) ?? -1);
      return j >= 0 ? `${base}/pins/${j}` : `${base}/pins`;
    }
    case 'tags':
      return `${base}/tags`;
    case 'signers:threshold':
      return `${base}/signers/threshold`;
    case 'packages':
      return `${base}/packages/deny`;
    case 'licenses':
      return `${base}/licenses`;
    case 'inventory:complete':
      return `${base}/inventory`;
    case 'function:code-signing':
    case 'function:publishers':
      return `${base}/codeSigning`;
    case 'function:layer-accounts':
      return `${base}/layerAccounts`;
    case 'function:environment':
      return `${base}/environment`;
    case 'function:handler':
      return `${base}/handler`;
    default:
      return base;
  }
}

/**
 * The verdict with `rule.line` and each check's `line` filled from the policy's recorded lines
 * (values already set are kept). Returns the verdict unchanged when the policy has no lines.
 */
export function locateVerdict(v: Verdict, loaded: LoadedPolicy): Verdict {
  if (!loaded.lines) return v;
  const ruleLine =
    v.rule?.line ?? (v.rule ? policyLine(loaded, `/${v.rule.section}/${v.rule.index}`) : undefined);
  return {
    ...v,
    ...(v.rule
      ? { rule: { ...v.rule, ...(ruleLine !== undefined ? { line: ruleLine } : {}) } }
      : {}),
    checks: v.checks.map((c) => {
      if (c.line !== undefined) return c;
      const line = policyLine(loaded, checkPointer(c, v, loaded.policy));
      return line !== undefined ? { ...c, line } : c;
    }),
  };
}
