import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyError } from './errors.js';
import { loadPolicy } from './load.js';
import { verifyLayer } from '../verifier.js';
import { layer, policy } from '../testing/helpers.js';

function problems(yaml: string): { path: string; line: number; message: string }[] {
  try {
    loadPolicy(yaml, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    expect((e as PolicyError).code).toBe('INVALID_POLICY');
    return [...(e as PolicyError).problems];
  }
  throw new Error('policy loaded but should not have');
}

describe('policy loader', () => {
  it.each(['policies/production.yaml', 'policies/rollout.yaml'])('loads the example %s', (f) => {
    const loaded = loadPolicy(readFileSync(f, 'utf8'), f);
    expect(loaded.policy.default).toBe('deny');
    expect(loaded.policy.layers?.length).toBeGreaterThan(0);
  });

  it('production example resolves the built-in public-good trust root', () => {
    const loaded = loadPolicy(
      readFileSync('policies/production.yaml', 'utf8'),
      'policies/production.yaml'
    );
    expect(loaded.trustRoots.get('public-good')?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports every schema error at once, each with its path and line', () => {
    const yaml = [
      'version: 2', // 1
      'default: maybe', // 2
      'bogus: 1', // 3
      'layers:', // 4
      '  - match: { name: x }', // 5
      '    mode: strict', // 6
      '    pins:', // 7
      '      - sha256: abc', // 8
      '        colour: red', // 9
      '',
    ].join('\n');
    const p = problems(yaml);
    const byPath = Object.fromEntries(p.map((x) => [x.path, x.line]));
    expect(byPath).toEqual({
      '/version': 1,
      '/default': 2,
      '/bogus': 3,
      '/layers/0/mode': 6,
      '/layers/0/pins/0/sha256': 8,
      '/layers/0/pins/0/colour': 9,
    });
  });

  it('refuses an anchor with both or neither subject and subjectRegex', () => {
    const p = problems(
      'version: 1\ndefault: deny\nanchors:\n  a:\n    kind: sigstore-keyless\n    issuer: https://x.example\n    trustRoot: public-good\n'
    );
    expect(p).toEqual([expect.objectContaining({ path: '/anchors/a', line: 5 })]);
  });

  it('predicateTypes names at least one type, each a URI, none twice', () => {
    const anchor = (types: string) =>
      `version: 1\ndefault: deny\nanchors:\n  a:\n    kind: sigstore-keyless\n    issuer: https://x.example\n    subject: ci@x.example\n    trustRoot: public-good\n    predicateTypes: ${types}\n`;
    for (const bad of [
      '[]',
      '[slsa]',
      "['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v1']",
    ]) {
      expect(problems(anchor(bad))).toEqual([
        expect.objectContaining({
          path: expect.stringMatching(/^\/anchors\/a\/predicateTypes/) as unknown,
          line: 9,
        }),
      ]);
    }
    expect(
      loadPolicy(anchor("['https://slsa.dev/provenance/v1']"), 'p.yaml').policy.anchors?.['a']
    ).toMatchObject({ predicateTypes: ['https://slsa.dev/provenance/v1'] });
  });

  it('an environment allowance names a variable, at least one exact value and a reason', () => {
    const p = problems(`version: 1
default: deny
functions:
  - match: { name: api }
    environment:
      allow:
        - { name: NODE_OPTIONS, values: [], reason: r }
        - { name: PYTHONPATH, values: [/opt/x] }
        - { name: LD_PRELOAD, value: /opt/a.so, values: [/opt/a.so], reason: r }
`);
    expect(p.map((x) => [x.path, x.line])).toEqual([
      ['/functions/0/environment/allow/0/values', 7],
      ['/functions/0/environment/allow/1', 8],
      ['/functions/0/environment/allow/2/value', 9],
    ]);
  });

  it('a handler allowance lists at least one exact Handler and a reason', () => {
    const p = problems(`version: 1
default: deny
functions:
  - match: { name: api }
    handler:
      allow:
        - { values: [], reason: r }
        - { values: [/opt/x.handler] }
        - { value: /opt/x.handler, values: [/opt/x.handler], reason: r }
        - { values: [''], reason: r }
`);
    expect(p.map((x) => [x.path, x.line])).toEqual([
      ['/functions/0/handler/allow/0/values', 7],
      ['/functions/0/handler/allow/1', 8],
      ['/functions/0/handler/allow/2/value', 9],
      ['/functions/0/handler/allow/3/values/0', 10],
    ]);
  });

  it('refuses a subjectRegex that is not a whole regex by itself, or not one in Unicode mode', () => {
    const anchor = (re: string) =>
      `version: 1\ndefault: deny\nanchors:\n  a:\n    kind: sigstore-keyless\n    issuer: https://x.example\n    subjectRegex: '${re}'\n    trustRoot: public-good\n`;
    // Wrapped as ^(?:…)$ this one compiles, and matches any SAN.
    expect(problems(anchor('ci@example\\.com)|(.*'))).toEqual([
      expect.objectContaining({ path: '/anchors/a/subjectRegex', line: 7 }),
    ]);
    expect(problems(anchor('ci@example\\.co\\m'))).toEqual([
      expect.objectContaining({ path: '/anchors/a/subjectRegex' }),
    ]);
    expect(() => loadPolicy(anchor('ci-\\p{Ll}+@example\\.com'), 'p.yaml')).not.toThrow();
  });

  it('reports semantic errors with paths and lines', () => {
    const yaml = [
      'version: 1', // 1
      'default: deny', // 2
      'trustRoots:', // 3
      '  private:', // 4
      '    path: policies/trust/public-good-trusted-root.json', // 5
      `    sha256: '${'0'.repeat(64)}'`, // 6
      'anchors:', // 7
      '  rx:', // 8
      '    kind: sigstore-keyless', // 9
      '    issuer: https://x.example', // 10
      "    subjectRegex: 'a(b'", // 11
      '    trustRoot: missing', // 12
      'layers:', // 13
      '  - match: { name: x }', // 14
      '    pins:', // 15
      `      - sha256: '${'a'.repeat(64)}'`, // 16
      '        expires: next-tuesday', // 17
      '    signers:', // 18
      '      anyOf: [rx, nobody]', // 19
      '      threshold: 3', // 20
      '    packages:', // 21
      '      deny:', // 22
      "        - { purl: 'pkg:npm/x', versions: '<=banana' }", // 23
      '',
    ].join('\n');
    const p = problems(yaml);
    const byPath = Object.fromEntries(p.map((x) => [x.path, x.line]));
    expect(byPath).toEqual({
      '/trustRoots/private/sha256': 6,
      '/anchors/rx/subjectRegex': 11,
      '/anchors/rx/trustRoot': 12,
      '/layers/0/pins/0/expires': 17,
      '/layers/0/signers/anyOf/1': 19,
      '/layers/0/signers/threshold': 20,
      '/layers/0/packages/deny/0/versions': 23,
    });
  });

  it('reports YAML syntax errors with a line', () => {
    const p = problems('version: 1\ndefault: deny\nlayers: [\n');
    expect(p[0]?.line).toBeGreaterThan(0);
  });

  it('a policy with no matching rule denies (enforce)', () => {
    const loaded = policy('version: 1\ndefault: deny\nlayers:\n  - match: { name: other-* }\n');
    const v = verifyLayer(layer({ layerName: 'utils' }), loaded, { now: new Date() });
    expect(v.ok).toBe(false);
    expect(v.rule).toBeUndefined();
    expect(v.checks).toEqual([
      expect.objectContaining({ kind: 'default', outcome: 'fail' }),
      expect.objectContaining({ id: 'inventory:complete', outcome: 'pass' }),
    ]);
  });

  it('default allow passes an unmatched layer; default deny in warn mode only warns', () => {
    const allow = verifyLayer(layer(), policy('version: 1\ndefault: allow\n'), { now: new Date() });
    expect(allow.ok).toBe(true);
    const warn = verifyLayer(layer(), policy('version: 1\ndefault: deny\nmode: warn\n'), {
      now: new Date(),
    });
    expect(warn.ok).toBe(true);
    expect(warn.checks[0]?.outcome).toBe('warn');
  });

  it('a rule asking for an account does not match a layer whose ARN is unknown', () => {
    const loaded = policy(
      "version: 1\ndefault: deny\nlayers:\n  - match: { name: utils, account: ['111122223333'] }\n"
    );
    expect(verifyLayer(layer(), loaded, { now: new Date() }).rule).toBeUndefined();
    const arn = 'arn:aws:lambda:us-east-1:111122223333:layer:utils:3';
    expect(verifyLayer(layer({ arn }), loaded, { now: new Date() }).rule?.index).toBe(0);
    const other = 'arn:aws:lambda:us-east-1:999999999999:layer:utils:3';
    expect(verifyLayer(layer({ arn: other }), loaded, { now: new Date() }).rule).toBeUndefined();
  });
});

describe('the images section', () => {
  const P = "'arn:aws:signer:us-east-1:123456789012:/signing-profiles/Team'";
  const D = `'sha256:${'a'.repeat(64)}'`;
  it('checks pins, anchors and thresholds as for layers, with paths and lines', () => {
    const found = problems(
      [
        'version: 1', // 1
        'default: deny', // 2
        'anchors:', // 3
        `  team: { kind: aws-signer, profileArn: ${P} }`, // 4
        'images:', // 5
        "  - match: { repository: 'r/**' }", // 6
        '    pins:', // 7
        `      - { digest: ${D}, expires: soon }`, // 8
        `      - { digest: ${D} }`, // 9
        '    signers: { anyOf: [team, ghost], threshold: 3 }', // 10
      ].join('\n')
    );
    expect(found.map((p) => [p.path, p.line])).toEqual(
      expect.arrayContaining([
        ['/images/0/pins/0/expires', 8],
        ['/images/0/pins/1/digest', 9],
        ['/images/0/signers/anyOf/1', 10],
        ['/images/0/signers/threshold', 10],
      ])
    );
  });
  it('a pin names a manifest digest or an index, not both; tags and revocation are enums', () => {
    const found = problems(
      [
        'version: 1',
        'default: deny',
        'images:',
        "  - match: { repository: 'r/**' }",
        `    pins: [{ digest: ${D}, index: ${D} }]`,
        '    tags: sometimes',
        '    revocation: maybe',
      ].join('\n')
    );
    expect(found.map((p) => p.path)).toEqual(
      expect.arrayContaining(['/images/0/pins/0', '/images/0/tags', '/images/0/revocation'])
    );
  });
  it('a Notation root must match its pin', () => {
    const text = [
      'version: 1',
      'default: deny',
      'anchors:',
      '  team:',
      '    kind: aws-signer',
      `    profileArn: ${P}`,
      `    notationRoot: { path: root.pem, sha256: '${'0'.repeat(64)}' }`,
    ].join('\n');
    try {
      loadPolicy(text, 'p.yaml', { readFile: () => Buffer.from('not a certificate') });
      throw new Error('loaded');
    } catch (e) {
      expect((e as PolicyError).problems).toEqual([
        expect.objectContaining({ path: '/anchors/team/notationRoot/sha256', line: 7 }),
      ]);
    }
  });
});
