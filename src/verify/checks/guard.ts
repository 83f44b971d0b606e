import type { CheckKind, RawCheck } from '../verdict.js';

/** Run a check and fail closed: any exception becomes a failed check carrying the error. */
export function guard(id: string, kind: CheckKind, run: () => RawCheck): RawCheck {
  try {
    return run();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return {
      id,
      kind,
      status: 'fail',
      detail: `Check failed with an error: ${msg}`,
      evidence: { error: msg },
    };
  }
}

/** The failed check of a rule that reads the layer's inventory when no SBOM could be built. */
export function noInventory(kind: 'packages' | 'licenses', rules: string): RawCheck {
  return {
    id: kind,
    kind,
    status: 'fail',
    detail: `No SBOM was built for this layer; ${rules} rules cannot be applied.`,
    evidence: {},
  };
}
