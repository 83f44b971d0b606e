/** The digest check: the zip's sha256 matches Lambda's CodeSha256 and is pinned, unexpired. */
import type { LayerEvidence } from '../evidence.js';
import { parseExpiry } from '../policy/expiry.js';
import type { LayerRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';

/** Evaluate the rule's pins against the layer digest at `now`. */
export function evaluateDigest(rule: LayerRule, ev: LayerEvidence, now: Date): RawCheck {
  const base = { id: 'digest', kind: 'digest' as const };
  const sha256 = ev.sha256.toLowerCase();
  const evidence: Record<string, unknown> = { sha256 };
  if (ev.codeSha256 !== undefined) {
    const hex = Buffer.from(ev.codeSha256, 'base64').toString('hex');
    evidence['codeSha256'] = ev.codeSha256;
    if (hex !== sha256) {
      return {
        ...base,
        status: 'fail',
        detail: `Downloaded bytes hash to ${sha256}, but Lambda's CodeSha256 is ${hex}.`,
        evidence,
      };
    }
  }
  if (rule.pins === undefined) {
    return {
      ...base,
      status: 'skip',
      detail: 'The rule has no pins (no digest allowlist).',
      evidence,
    };
  }
  const pin = rule.pins.find((p) => p.sha256 === sha256);
  if (!pin) {
    return {
      ...base,
      status: 'fail',
      detail: `sha256 ${sha256} is not pinned (${rule.pins.length} pin(s) in the rule).`,
      evidence,
    };
  }
  evidence['pin'] = pin;
  if (pin.expires !== undefined) {
    const at = parseExpiry(pin.expires);
    if (!at || at.getTime() <= now.getTime()) {
      return {
        ...base,
        status: 'fail',
        detail: `sha256 ${sha256} is pinned, but the pin expired ${pin.expires}.`,
        evidence,
      };
    }
  }
  const as = pin.version !== undefined ? ` as version ${pin.version}` : '';
  return {
    ...base,
    status: 'pass',
    detail: `sha256 ${sha256} is pinned${as}${ev.codeSha256 ? ' and equals CodeSha256' : ''}.`,
    evidence,
  };
}
