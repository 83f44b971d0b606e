import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { digest, fnArn, lvArn } from '../estate/testing/estate.js';
import {
  CHANGE_KINDS,
  computeChanges,
  failingKinds,
  parseFailOn,
  type PackageCandidate,
} from './changes.js';
import type { ScanFunction } from '../scan/result.js';
import { compileDeny, matchesDeny } from '../verify/checks/packages.js';
import { E, INVENTORIES, JOB, PROFILE, recorded, scans } from './testing/scans.js';

const denyEventStream = (p: PackageCandidate) => p.key === 'pkg:npm/event-stream';

describe('computeChanges', () => {
  const { a, b } = scans();
  const c = computeChanges(a, b, {
    inventoryOf: (d) => INVENTORIES.get(d),
    isDenied: denyEventStream,
  });

  it('catches a version republished under the same number, with what changed in it', () => {
    expect(c.digestsChanged).toHaveLength(1);
    const d = c.digestsChanged[0]!;
    expect(d).toMatchObject({
      arn: lvArn(E, 'base', 1),
      from: digest('base-1'),
      to: digest('base-1-republished'),
      usedBy: [fnArn(E, 'a')],
    });
    expect(d.diff!.added.map((p) => `${p.name}@${p.version}`)).toEqual(['event-stream@3.3.6']);
  });

  it('lists new digests, new and deleted layer versions and functions', () => {
    expect(c.digestsNew.map((d) => [d.digest, d.layerVersions])).toEqual(
      [
        [digest('base-1-republished'), [lvArn(E, 'base', 1)]],
        [digest('base-3'), [lvArn(E, 'base', 3)]],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1))
    );
    expect(c.layerVersionsAdded.map((l) => l.arn)).toEqual([lvArn(E, 'base', 3)]);
    expect(c.layerVersionsRemoved.map((l) => l.arn)).toEqual([lvArn(E, 'old', 1)]);
    expect(c.functionsAdded).toEqual([fnArn(E, 'new')]);
    expect(c.functionsRemoved).toEqual([fnArn(E, 'gone')]);
  });

  it('says which functions moved between versions', () => {
    expect(
      c.functionsMoved.map((m) => [
        m.function.split(':')[6],
        m.layer.name,
        m.from?.version,
        m.to?.version,
      ])
    ).toEqual([
      ['b', 'base', 2, 3],
      ['b', 'tools', 1, 2],
    ]);
  });

  it('finds signing jobs and profiles revoked since', () => {
    expect(c.signingRevoked).toEqual([
      { scope: 'job', arn: JOB('j1'), before: 'not-revoked', layerVersions: [lvArn(E, 'base', 1)] },
      {
        scope: 'profile',
        arn: PROFILE,
        before: 'not-revoked',
        layerVersions: [1, 2, 3].map((v) => lvArn(E, 'base', v)),
      },
    ]);
  });

  it('finds packages the policy denies that were not deployed before', () => {
    expect(c.packagesDenied).toEqual([
      {
        key: 'pkg:npm/event-stream',
        ecosystem: 'npm',
        name: 'event-stream',
        version: '3.3.6',
        purl: 'pkg:npm/event-stream@3.3.6',
        layerVersions: [lvArn(E, 'base', 1)],
        functions: [fnArn(E, 'a')],
      },
    ]);
    // Under the same policy, comparing the later scan with itself: nothing is newly denied.
    expect(
      computeChanges(b, b, { inventoryOf: (d) => INVENTORIES.get(d), isDenied: denyEventStream })
        .packagesDenied
    ).toEqual([]);
  });

  it('a denied npm package renamed in its package.json is denied by the name require finds', () => {
    const renamed = new Map(INVENTORIES);
    const inv = structuredClone(INVENTORIES.get(digest('base-1-republished'))!);
    const pkg = inv.packages.find((p) => p.name === 'event-stream')!;
    Object.assign(pkg, { name: 'es-helper', purl: 'pkg:npm/es-helper@3.3.6' });
    pkg.properties['npm:required-as'] = 'event-stream';
    renamed.set(digest('base-1-republished'), inv);
    const rule = compileDeny({ purl: 'pkg:npm/event-stream', versions: '3.3.6' });
    const isDenied = (p: PackageCandidate) =>
      p.purl !== null && matchesDeny(rule, p.purl, p.version ?? undefined, p.requiredAs ?? []);
    const denied = computeChanges(a, b, {
      inventoryOf: (d) => renamed.get(d),
      isDenied,
    }).packagesDenied;
    expect(denied.map((d) => [d.purl, d.requiredAs])).toEqual([
      ['pkg:npm/es-helper@3.3.6', ['event-stream']],
    ]);
  });

  it('measures drift growing and shrinking', () => {
    // base: a is now 2 behind (was 1), b is on the newest. tools: b caught up, "gone" left.
    expect(c.driftGrew.map((d) => [d.name, d.before, d.after])).toEqual([
      [
        'base',
        { functionsBehind: 1, versionsBehind: 1 },
        { functionsBehind: 1, versionsBehind: 2 },
      ],
    ]);
    expect(c.driftShrank.map((d) => [d.name, d.before, d.after])).toEqual([
      [
        'tools',
        { functionsBehind: 2, versionsBehind: 2 },
        { functionsBehind: 0, versionsBehind: 0 },
      ],
    ]);
  });

  it('lists new and resolved failures, and counts every kind', () => {
    expect(c.failuresNew.map((f) => f.code)).toEqual(['ACCESS_DENIED']);
    expect(c.failuresResolved.map((f) => f.code)).toEqual(['NOT_FOUND']);
    expect(Object.keys(c.summary)).toEqual([...CHANGE_KINDS]);
    expect(c.summary).toMatchObject({
      'digest-changed': 1,
      'signing-revoked': 2,
      'function-moved': 2,
    });
    expect(c.unavailable).toEqual([]);
  });

  it('is empty between a scan and itself', () => {
    const same = computeChanges(a, a, {
      inventoryOf: (d) => INVENTORIES.get(d),
      isDenied: denyEventStream,
    });
    expect(Object.values(same.summary).every((n) => n === 0)).toBe(true);
  });

  it('says what it could not compare', () => {
    const unverified = recorded(3, b.result, null);
    const u = computeChanges(a, unverified, {
      inventoryOf: () => undefined,
      isDenied: denyEventStream,
    });
    expect(u.signingRevoked).toEqual([]);
    expect(u.unavailable.some((x) => x.includes('no signing status'))).toBe(true);
    expect(u.unavailable.find((x) => x.startsWith('no inventory recorded'))).toContain(
      lvArn(E, 'base', 3)
    );
    // Without inventories a republished version is still caught, without its diff.
    expect(u.digestsChanged[0]!.diff).toBeNull();
  });
});

describe('function-environment', () => {
  /** Scans a and b with function `name`'s environment set as given in each. */
  function withEnvironment(
    before: ScanFunction['environment'],
    after: ScanFunction['environment'],
    name = 'a'
  ) {
    const { a, b } = scans();
    const set = (r: typeof a, env: ScanFunction['environment']) => {
      const functions = r.result.functions.map((f) =>
        f.arn === fnArn(E, name) && env ? { ...f, environment: env } : f
      );
      return recorded(r.info.id, { ...r.result, functions }, r.signing);
    };
    return computeChanges(set(a, before), set(b, after)).functionsEnvironment;
  }
  const hook = { name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' };
  const maps = { name: 'NODE_OPTIONS', value: '--enable-source-maps' };
  const wrapper = { name: 'AWS_LAMBDA_EXEC_WRAPPER', value: '/opt/otel-instrument' };

  it('reports variables that load code set since, or set to another value, and only those', () => {
    expect(withEnvironment(undefined, { loaders: [hook] })).toEqual([
      { function: fnArn(E, 'a'), loaders: [hook], before: [] },
    ]);
    expect(withEnvironment({ loaders: [maps, wrapper] }, { loaders: [hook, wrapper] })).toEqual([
      { function: fnArn(E, 'a'), loaders: [hook], before: [maps, wrapper] },
    ]);
  });

  it('reports variables Lambda stopped returning, once', () => {
    const unread = { unread: 'KMSAccessDeniedException: denied' };
    expect(withEnvironment({ loaders: [maps] }, unread)).toEqual([
      { function: fnArn(E, 'a'), loaders: [], unread: unread.unread, before: [maps] },
    ]);
    expect(withEnvironment(unread, unread)).toEqual([]);
  });

  it('removing a variable, keeping one, or a function added with one is not this kind', () => {
    expect(withEnvironment({ loaders: [hook, wrapper] }, { loaders: [wrapper] })).toEqual([]);
    expect(withEnvironment({ loaders: [hook] }, { loaders: [hook] })).toEqual([]);
    expect(withEnvironment(undefined, { loaders: [hook] }, 'new')).toEqual([]);
  });
});

describe('--fail-on', () => {
  const { a, b } = scans();
  const c = computeChanges(a, b, { inventoryOf: (d) => INVENTORIES.get(d) });

  it('selects kinds, any or none', () => {
    expect([...parseFailOn('digest-changed, signing-revoked')]).toEqual([
      'digest-changed',
      'signing-revoked',
    ]);
    expect(parseFailOn('any').size).toBe(CHANGE_KINDS.length);
    expect(parseFailOn('none').size).toBe(0);
    try {
      parseFailOn('digest-changed,everything');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('BAD_ARGUMENT');
    }
  });

  it('fails only on selected kinds that occurred', () => {
    expect(failingKinds(c, parseFailOn('digest-changed,package-denied'))).toEqual([
      'digest-changed',
    ]);
    expect(failingKinds(c, parseFailOn('none'))).toEqual([]);
    const none = computeChanges(a, a);
    expect(failingKinds(none, parseFailOn('any'))).toEqual([]);
  });
});
