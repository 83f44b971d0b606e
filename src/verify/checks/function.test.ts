import { describe, expect, it } from 'vitest';
import { functionEnvironment, loaderReason } from '../../model/function-environment.js';
import { policy, ZIP_START } from '../testing/helpers.js';
import { verifyFunction } from '../verifier.js';
import { evaluateEnvironment, evaluateHandler } from './function.js';

const env = (Variables: Record<string, string>) => functionEnvironment({ Variables });

describe('functionEnvironment', () => {
  it('keeps only the variables that load code, sorted by name', () => {
    const e = env({
      TABLE: 'orders',
      NODE_OPTIONS: '--require /opt/x.js',
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper',
      LD_PRELOAD: '/opt/lib/a.so',
      CORECLR_PROFILER_PATH_64: '/opt/p.so',
      node_options: '--require /opt/y.js',
    });
    expect(e).toEqual({
      read: true,
      loaders: [
        { name: 'AWS_LAMBDA_EXEC_WRAPPER', value: '/opt/wrapper' },
        { name: 'CORECLR_PROFILER_PATH_64', value: '/opt/p.so' },
        { name: 'LD_PRELOAD', value: '/opt/lib/a.so' },
        { name: 'NODE_OPTIONS', value: '--require /opt/x.js' },
      ],
    });
  });

  it('an Error is unread even with variables beside it', () => {
    expect(
      functionEnvironment({
        Variables: { NODE_OPTIONS: '--enable-source-maps' },
        Error: { ErrorCode: 'KMSAccessDeniedException', Message: 'denied' },
      })
    ).toEqual({ read: false, reason: 'KMSAccessDeniedException: denied' });
    expect(functionEnvironment({ Error: {} })).toEqual({ read: false, reason: 'Error' });
  });

  it('no Environment and no loader variables are the same: none', () => {
    expect(functionEnvironment(undefined)).toEqual({ read: true, loaders: [] });
    expect(env({ TZ: 'UTC', LANG: 'C' })).toEqual({ read: true, loaders: [] });
  });

  it('names are exact and prototype keys are not loaders', () => {
    expect(loaderReason('NODE_OPTIONS')).toBeDefined();
    expect(loaderReason('Node_Options')).toBeUndefined();
    expect(loaderReason('toString')).toBeUndefined();
    expect(loaderReason('__proto__')).toBeUndefined();
    expect(loaderReason('LD_AUDIT')).toBeDefined();
  });

  it("knows Node.js's code cache directory and Bundler's settings", () => {
    // NODE_COMPILE_CACHE=dir: Node.js 22.1+ runs V8 code cache from there for what it compiles.
    expect(loaderReason('NODE_COMPILE_CACHE')).toContain('code cache');
    // Bundler reads every setting from BUNDLE_<NAME>: BUNDLE_PATH moves where gems load from.
    for (const name of ['BUNDLE_PATH', 'BUNDLE_APP_CONFIG', 'BUNDLE_GEMFILE'])
      expect(loaderReason(name)).toBeDefined();
    expect(loaderReason('BUNDLER_VERSION_X')).toBeUndefined();
  });
});

describe('function:environment', () => {
  const allow = [
    { name: 'AWS_LAMBDA_EXEC_WRAPPER', values: ['/opt/otel-instrument'], reason: 'OTel layer' },
  ];

  it('passes with no loader variable, and with every one allowed with its exact value', () => {
    expect(evaluateEnvironment([], env({ TZ: 'UTC' })).status).toBe('pass');
    const ok = evaluateEnvironment(allow, env({ AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-instrument' }));
    expect(ok.status).toBe('pass');
    expect(ok.detail).toContain('allowed: OTel layer');
  });

  it('fails a loader variable not allowed, or allowed with another value', () => {
    const hidden = evaluateEnvironment(allow, env({ NODE_OPTIONS: '--require /opt/hook.js' }));
    expect(hidden.status).toBe('fail');
    expect(hidden.detail).toContain('NODE_OPTIONS="--require /opt/hook.js"');
    expect(hidden.evidence).toEqual({
      variables: [{ name: 'NODE_OPTIONS', value: '--require /opt/hook.js', allowed: false }],
    });
    // One character more is other code: values are exact, never prefixes or globs.
    for (const value of ['/opt/otel-instrument ', '/opt/otel-instrument2', '/OPT/otel-instrument'])
      expect(evaluateEnvironment(allow, env({ AWS_LAMBDA_EXEC_WRAPPER: value })).status).toBe(
        'fail'
      );
  });

  it('an allowance for one variable does not cover another with the same value', () => {
    const c = evaluateEnvironment(allow, env({ BASH_ENV: '/opt/otel-instrument' }));
    expect(c.status).toBe('fail');
  });

  it('fails closed when the variables could not be read', () => {
    const c = evaluateEnvironment(
      allow,
      functionEnvironment({ Error: { ErrorCode: 'KMSDisabledException', Message: 'disabled' } })
    );
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('KMSDisabledException: disabled');
  });

  it('runs for every matched function rule, and the policy loads its allowances', () => {
    const loaded = policy(`version: 1
default: deny
functions:
  - match: { name: api }
    environment:
      allow:
        - name: NODE_OPTIONS
          values: ['--enable-source-maps']
          reason: stack traces
  - match: { name: '*' }
`);
    const verdict = (name: string, Variables: Record<string, string>) =>
      verifyFunction(
        { name, layers: [], environment: functionEnvironment({ Variables }), start: ZIP_START },
        loaded
      );
    expect(verdict('api', { NODE_OPTIONS: '--enable-source-maps' }).ok).toBe(true);
    expect(verdict('api', { NODE_OPTIONS: '--import /opt/x.mjs' }).ok).toBe(false);
    const other = verdict('worker', { NODE_OPTIONS: '--enable-source-maps' });
    expect(other.ok).toBe(false);
    expect(other.checks.map((c) => [c.id, c.outcome])).toEqual([
      ['function:environment', 'fail'],
      ['function:handler', 'pass'],
    ]);
  });
});

describe('function:handler', () => {
  const start = (handler: string, runtime = 'nodejs22.x') => ({
    packageType: 'Zip',
    runtime,
    handler,
  });
  const DD = '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler';
  const allow = [{ values: [DD], reason: 'Datadog wrapper' }];

  it("passes a Handler of the function's own code", () => {
    const c = evaluateHandler([], start('index.handler'));
    expect(c.status).toBe('pass');
    expect(c.detail).toContain('"index.handler" (nodejs22.x)');
    expect(c.evidence).toEqual({
      packageType: 'Zip',
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      target: 'own',
    });
  });

  it('fails a Handler that loads a layer file, naming the Handler and the file', () => {
    const c = evaluateHandler(allow, start('/opt/share/doc/x.handler'));
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('Handler "/opt/share/doc/x.handler" (nodejs22.x)');
    expect(c.detail).toContain('/opt/share/doc/x (as is, .js, .mjs or .cjs)');
    expect(c.evidence).toMatchObject({ target: 'outside', allowed: false });
  });

  it('passes one allowed with its exact value, and only that value', () => {
    const ok = evaluateHandler(allow, start(DD));
    expect(ok.status).toBe('pass');
    expect(ok.detail).toContain('allowed: Datadog wrapper');
    expect(ok.evidence).toMatchObject({ allowed: true });
    for (const h of [`${DD} `, DD.replace('handler.handler', 'handler.other'), `/${DD}`])
      expect(evaluateHandler(allow, start(h)).status, h).toBe('fail');
  });

  it('fails a built-in or standard library module, and a runtime lamina does not know', () => {
    expect(evaluateHandler([], start('child_process.execSync')).status).toBe('fail');
    expect(evaluateHandler([], start('cProfile.run', 'python3.12')).status).toBe('fail');
    const go = evaluateHandler([], start('main', 'go1.x'));
    expect(go.status).toBe('fail');
    expect(go.detail).toContain('go1.x');
    expect(
      evaluateHandler([{ values: ['main'], reason: 'Go binary' }], start('main', 'go1.x')).status
    ).toBe('pass');
  });

  it('passes an image function and a custom runtime, saying why', () => {
    const image = evaluateHandler([], {
      packageType: 'Image',
      runtime: undefined,
      handler: undefined,
    });
    expect(image.status).toBe('pass');
    expect(image.detail).toContain('No Handler');
    const custom = evaluateHandler([], start('/opt/share/doc/x.handler', 'provided.al2023'));
    expect(custom.status).toBe('pass');
    expect(custom.detail).toContain('bootstrap');
  });

  it('runs for every matched function rule, and the policy loads its allowances', () => {
    const loaded = policy(`version: 1
default: deny
functions:
  - match: { name: api }
    handler:
      allow:
        - values: ['${DD}']
          reason: Datadog wrapper
  - match: { name: '*' }
`);
    const verdict = (name: string, handler: string) =>
      verifyFunction(
        { name, layers: [], environment: functionEnvironment(undefined), start: start(handler) },
        loaded
      );
    expect(verdict('api', DD).ok).toBe(true);
    expect(verdict('api', '/opt/share/doc/x.handler').ok).toBe(false);
    const other = verdict('worker', DD);
    expect(other.ok).toBe(false);
    expect(other.checks.map((c) => [c.id, c.outcome])).toEqual([
      ['function:environment', 'pass'],
      ['function:handler', 'fail'],
    ]);
  });
});
