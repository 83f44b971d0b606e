/**
 * Function rules: a code signing config is attached (and Enforce when required), its allowed
 * publishers include the signing profile of every signed layer the function uses, and every
 * layer is owned by an allowed account.
 */
import { parseArn } from '../../model/arn.js';
import type { FunctionEvidence } from '../evidence.js';
import type { FunctionRule } from '../policy/types.js';
import type { RawCheck } from '../verdict.js';

/** Account field of an ARN (`arn:partition:service:region:account:...`). */
export function arnAccount(arn: string): string | undefined {
  return parseArn(arn)?.account || undefined;
}

/** Evaluate a function rule; one check per concern. */
export function evaluateFunction(rule: FunctionRule, ev: FunctionEvidence): RawCheck[] {
  const out: RawCheck[] = [];
  const csc = ev.codeSigningConfig;
  const cs = rule.codeSigning ?? {};
  if (cs.required || cs.enforce) {
    const mode = csc?.CodeSigningPolicies?.UntrustedArtifactOnDeployment;
    let status: 'pass' | 'fail' = 'pass';
    let detail = `Code signing config ${csc?.CodeSigningConfigArn ?? ''} attached (UntrustedArtifactOnDeployment=${mode ?? 'Warn'}).`;
    if (!csc) {
      status = 'fail';
      detail = 'No code signing config is attached to the function.';
    } else if (cs.enforce && mode !== 'Enforce') {
      status = 'fail';
      detail = `Code signing config ${csc.CodeSigningConfigArn ?? ''} is in ${mode ?? 'Warn'} mode; the rule requires Enforce.`;
    }
    out.push({
      id: 'function:code-signing',
      kind: 'function',
      status,
      detail,
      evidence: { codeSigningConfig: csc ?? null },
    });
  }
  if (csc) {
    const allowed = new Set(csc.AllowedPublishers?.SigningProfileVersionArns ?? []);
    const missing = ev.layers.filter(
      (l) => l.signingProfileVersionArn && !allowed.has(l.signingProfileVersionArn)
    );
    out.push({
      id: 'function:publishers',
      kind: 'function',
      status: missing.length ? 'fail' : 'pass',
      detail: missing.length
        ? `Allowed publishers lack the profile of layer(s): ${missing.map((l) => `${l.arn} (${l.signingProfileVersionArn ?? ''})`).join(', ')}.`
        : `Allowed publishers include the profile of every signed layer (${ev.layers.filter((l) => l.signingProfileVersionArn).length}).`,
      evidence: { allowedPublishers: [...allowed], missing: missing.map((l) => l.arn) },
    });
  }
  if (rule.layerAccounts) {
    const ok = new Set(rule.layerAccounts);
    const foreign = ev.layers.filter((l) => !ok.has(l.owner ?? arnAccount(l.arn) ?? ''));
    out.push({
      id: 'function:layer-accounts',
      kind: 'function',
      status: foreign.length ? 'fail' : 'pass',
      detail: foreign.length
        ? `Layer(s) owned by accounts outside the allowed list: ${foreign.map((l) => `${l.arn} (owner ${l.owner ?? arnAccount(l.arn) ?? '?'})`).join(', ')}.`
        : `All ${ev.layers.length} layer(s) are owned by allowed accounts.`,
      evidence: { allowed: rule.layerAccounts, foreign: foreign.map((l) => l.arn) },
    });
  }
  return out;
}
