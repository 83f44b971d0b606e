/**
 * Function rules: a code signing config is attached (and Enforce when required), its allowed
 * publishers include the signing profile of every signed layer the function uses, every layer
 * is owned by an allowed account, and neither a variable of its environment nor its Handler
 * makes the runtime load code the policy does not name.
 */
import { parseArn } from '../../model/arn.js';
import { loaderReason, type FunctionEnvironment } from '../../model/function-environment.js';
import { handlerTarget, type FunctionStart } from '../../model/function-handler.js';
import type { FunctionEvidence } from '../evidence.js';
import type { EnvironmentAllowance, FunctionRule, HandlerAllowance } from '../policy/types.js';
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
  out.push(evaluateEnvironment(rule.environment?.allow ?? [], ev.environment));
  out.push(evaluateHandler(rule.handler?.allow ?? [], ev.start));
  return out;
}

/**
 * `function:handler`: the Handler makes the runtime load the function's own code (or a module
 * by name, as any import of it would), unless the policy allows that exact Handler. Always
 * evaluated, like `function:environment`: `/opt/share/doc/x.handler` runs a layer's data file
 * as surely as `AWS_LAMBDA_EXEC_WRAPPER` does.
 */
export function evaluateHandler(
  allow: readonly HandlerAllowance[],
  start: FunctionStart
): RawCheck {
  const target = handlerTarget(start);
  const { handler, runtime } = start;
  const evidence = {
    packageType: start.packageType,
    runtime: runtime ?? null,
    handler: handler ?? null,
    target: target.kind,
  };
  const shown = `Handler ${JSON.stringify(handler ?? '')} (${runtime ?? 'no runtime'})`;
  const base = { id: 'function:handler', kind: 'handler' as const };
  switch (target.kind) {
    case 'image':
      return { ...base, status: 'pass', detail: `No Handler: runs ${target.loads}.`, evidence };
    case 'bootstrap':
    case 'own':
    case 'refused':
      return { ...base, status: 'pass', detail: `${shown} loads ${target.loads}.`, evidence };
    case 'outside':
    case 'unknown': {
      const entry =
        handler === undefined ? undefined : allow.find((a) => a.values.includes(handler));
      if (entry)
        return {
          ...base,
          status: 'pass',
          detail: `${shown} loads ${target.loads}; allowed: ${entry.reason}.`,
          evidence: { ...evidence, allowed: true },
        };
      return {
        ...base,
        status: 'fail',
        detail:
          target.kind === 'outside'
            ? `${shown} makes the runtime load code lamina did not verify, and handler.allow does not list it: ${target.loads}.`
            : `${shown}: ${target.loads}, so what it loads is not known; handler.allow does not list it.`,
        evidence: { ...evidence, allowed: false },
      };
    }
  }
}

/**
 * `function:environment`: every variable that makes the runtime load code is allowed with its
 * exact value, and the variables were read at all. Always evaluated: a layer verified clean
 * still runs whatever `NODE_OPTIONS=--require /opt/x.js` names.
 */
export function evaluateEnvironment(
  allow: readonly EnvironmentAllowance[],
  env: FunctionEnvironment
): RawCheck {
  const id = 'function:environment';
  if (!env.read)
    return {
      id,
      kind: 'environment',
      status: 'fail',
      detail:
        `Lambda did not return the function's environment variables (${env.reason}), so ` +
        'the variables that make the runtime load code could not be checked.',
      evidence: { unread: env.reason },
    };
  const rows = env.loaders.map((v) => {
    const entry = allow.find((a) => a.name === v.name && a.values.includes(v.value));
    return { ...v, why: loaderReason(v.name) ?? '', ...(entry ? { allowedBy: entry.reason } : {}) };
  });
  const denied = rows.filter((r) => r.allowedBy === undefined);
  const show = (r: (typeof rows)[number]): string =>
    `${r.name}=${JSON.stringify(r.value)} (${r.why}${r.allowedBy !== undefined ? `; allowed: ${r.allowedBy}` : ''})`;
  let detail: string;
  if (denied.length)
    detail =
      `Set without an allowance in environment.allow, making the runtime load code lamina did ` +
      `not verify: ${denied.map(show).join('; ')}.`;
  else if (rows.length)
    detail = `Every variable that makes the runtime load code is allowed: ${rows.map(show).join('; ')}.`;
  else detail = 'No variable that makes the runtime load code is set.';
  return {
    id,
    kind: 'environment',
    status: denied.length ? 'fail' : 'pass',
    detail,
    evidence: {
      variables: rows.map((r) => ({
        name: r.name,
        value: r.value,
        allowed: r.allowedBy !== undefined,
      })),
    },
  };
}
