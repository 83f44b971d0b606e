/**
 * End to end through the local AWS endpoint (real SDK clients over HTTP): a layer that passes
 * every check carries `share/doc/x.js`, documentation to lamina and to every package manager.
 * A Node.js function whose Handler is `/opt/share/doc/x.handler` runs it: the runtime resolves an
 * absolute module root as is. `child_process.execSync` and Python's `cProfile.run` run the event
 * itself, Java's `java.lang.System::load` loads the library it names. Before `function:handler` each of those functions, and the layer, passed `lamina verify`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/scan/result.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli as lamina } from '../helpers/cli.js';

const HOME = '555555555555';
const R = 'us-east-1';
const fn = (name: string) => `arn:aws:lambda:${R}:${HOME}:function:${name}`;
const WRAPPER = '/opt/nodejs/node_modules/left-pad/index.handler';

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAHANDLER000000001, secretAccessKey: handler-secret }]
    regions:
      ${R}:
        layers:
          - name: shared
            versions:
              - generate:
                  files:
                    nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.3.0","license":"MIT"}'
                    nodejs/node_modules/left-pad/index.js: 'exports.handler = async () => "pad";'
                    share/doc/x.js: 'exports.handler = async () => require("child_process").execSync("id").toString();'
        functions:
          - { name: clean, layers: ['shared:1'] }
          - { name: nested, layers: ['shared:1'], handler: src/api/app.handler }
          - { name: doc, layers: ['shared:1'], handler: /opt/share/doc/x.handler }
          - { name: wrapped, layers: ['shared:1'], handler: '${WRAPPER}' }
          - { name: shell, layers: ['shared:1'], handler: child_process.execSync }
          - { name: profiled, layers: ['shared:1'], runtime: python3.12, handler: cProfile.run }
          - { name: gem, layers: ['shared:1'], runtime: ruby3.3, handler: /opt/share/doc/x.handler }
          - { name: native, layers: ['shared:1'], runtime: java21, handler: 'java.lang.System::load' }
          - { name: jvm, layers: ['shared:1'], runtime: java21, handler: 'example.Handler::handleRequest' }
          - { name: custom, layers: ['shared:1'], runtime: provided.al2023, handler: /opt/share/doc/x.handler }
          - name: api
            layers: ['shared:1']
            versions:
              - { version: 1, layers: ['shared:1'], handler: /opt/share/doc/x.handler }
`;

const POLICY = `version: 1
default: deny
layers:
  - match: { name: shared, account: ['${HOME}'] }
functions:
  - match: { name: wrapped }
    handler:
      allow:
        - { values: ['${WRAPPER}'], reason: reviewed wrapper }
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

const handlerCheck = (v: Verdict | undefined) => v?.checks.find((c) => c.id === 'function:handler');

describe('function:handler', () => {
  it('verify --all: each function and published version by its own Handler, the layer passes', async () => {
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
    const outcome = (name: string) => handlerCheck(byArn.get(fn(name)))?.outcome;

    // The layer holding share/doc/x.js passes: nothing in it is a package's or runs unless named.
    const layer = verdicts.find((v) => v.subject.kind === 'layer');
    expect(layer?.ok).toBe(true);

    expect(outcome('clean:$LATEST')).toBe('pass');
    expect(byArn.get(fn('clean:$LATEST'))?.ok).toBe(true);
    expect(outcome('nested:$LATEST')).toBe('pass');
    expect(outcome('doc:$LATEST')).toBe('fail');
    expect(handlerCheck(byArn.get(fn('doc:$LATEST')))?.evidence).toEqual({
      packageType: 'Zip',
      runtime: 'nodejs20.x',
      handler: '/opt/share/doc/x.handler',
      target: 'outside',
      allowed: false,
    });
    expect(handlerCheck(byArn.get(fn('doc:$LATEST')))?.detail).toContain('/opt/share/doc/x (');
    expect(outcome('wrapped:$LATEST')).toBe('pass');
    expect(byArn.get(fn('wrapped:$LATEST'))?.ok).toBe(true);
    expect(outcome('shell:$LATEST')).toBe('fail');
    expect(outcome('profiled:$LATEST')).toBe('fail');
    expect(outcome('gem:$LATEST')).toBe('fail');
    expect(outcome('native:$LATEST')).toBe('fail');
    expect(outcome('jvm:$LATEST')).toBe('pass');
    expect(outcome('custom:$LATEST')).toBe('pass');
    // A published version keeps the Handler it was published with.
    expect(outcome('api:$LATEST')).toBe('pass');
    expect(outcome('api:1')).toBe('fail');
  });

  it("scan.json records each function version's Handler; the reports list those verify fails unless allowed", async () => {
    const out = join(h.dir, 'scan-out');
    const md = join(h.dir, 'scan-report.md');
    const r = await lamina(
      ['scan', '--region', R, '--output-dir', out, '--quiet', '--markdown', md].concat(h.awsFlags)
    );
    expect(r.code, r.stderr).toBe(0);
    const scan = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as ScanResult;
    expect(
      Object.fromEntries(scan.functions.map((f) => [f.arn.split(':function:')[1], f.handler]))
    ).toEqual({
      'api:$LATEST': 'index.handler',
      'api:1': '/opt/share/doc/x.handler',
      'clean:$LATEST': 'index.handler',
      'custom:$LATEST': '/opt/share/doc/x.handler',
      'doc:$LATEST': '/opt/share/doc/x.handler',
      'gem:$LATEST': '/opt/share/doc/x.handler',
      'jvm:$LATEST': 'example.Handler::handleRequest',
      'native:$LATEST': 'java.lang.System::load',
      'nested:$LATEST': 'src/api/app.handler',
      'profiled:$LATEST': 'cProfile.run',
      'shell:$LATEST': 'child_process.execSync',
      'wrapped:$LATEST': WRAPPER,
    });

    // Only the Handlers function:handler fails without an allowance (the scan reads no policy:
    // wrapped is among them); index.handler, a Java class of the function's, a custom runtime's
    // Handler are in scan.json only.
    const section = r.stdout.slice(r.stdout.indexOf('Functions whose Handler'));
    expect(section).toMatch(
      /^Functions whose Handler makes the runtime load code outside their own \(7; lamina verify fails them unless handler.allow lists the Handler\):\n/
    );
    const listed = section
      .split('\n')
      .slice(1)
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim().split(' ')[0]);
    expect(listed).toEqual(['api:1', 'doc', 'gem', 'native', 'profiled', 'shell', 'wrapped']);
    expect(r.stdout).toContain(
      `  doc (us-east-1)  Handler "/opt/share/doc/x.handler": /opt/share/doc/x (as is, .js, .mjs or .cjs), outside the function's directory /var/task`
    );
    const report = readFileSync(md, 'utf8');
    expect(report).toContain(
      '| Functions whose Handler makes the runtime load code outside their own | 7 |'
    );
    expect(report).toContain(
      '| <code>shell</code> | <code>us-east-1</code> | <code>"child&#95;process.execSync"</code> |'
    );
    expect(report).not.toContain('<code>clean</code>');
  });

  it('verify --function reads the same from GetFunction', async () => {
    const doc = await lamina(
      ['verify', '--function', 'doc', '--policy', policy, '--region', R, '--format', 'json'].concat(
        h.awsFlags
      )
    );
    expect(doc.code).toBe(1);
    const v = (JSON.parse(doc.stdout) as { verdicts: Verdict[] }).verdicts;
    expect(handlerCheck(v[0])?.outcome).toBe('fail');
    expect(v.filter((x) => x.subject.kind === 'layer').every((x) => x.ok)).toBe(true);

    // A published version, read by its qualified name, with the Handler it was published with.
    const published = await lamina(
      ['verify', '--function', 'api:1', '--policy', policy, '--region', R].concat(h.awsFlags)
    );
    expect(published.code).toBe(1);
    expect(published.stdout).toContain('FAIL function:handler');
    expect(published.stdout).toContain('/opt/share/doc/x.handler');

    for (const name of ['clean', 'wrapped', 'api']) {
      const ok = await lamina(
        ['verify', '--function', name, '--policy', policy, '--region', R].concat(h.awsFlags)
      );
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.stdout).toContain('PASS function:handler');
    }
  });
});
