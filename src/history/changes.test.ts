import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import {
  ACCT,
  digest,
  estate,
  fnArn,
  inventory,
  lvArn,
  type FunctionSpec,
  type VersionSpec,
} from '../estate/testing/estate.js';
import type { ScanResult } from '../scan/result.js';
import {
  CHANGE_KINDS,
  computeChanges,
  failingKinds,
  parseFailOn,
  type PackageCandidate,
} from './changes.js';
import type { RecordedScan, SigningFact } from './types.js';

const E = 'us-east-1';
const JOB = (id: string) => `arn:aws:signer:${E}:${ACCT}:/signing-jobs/${id}`;
const PROFILE = `arn:aws:signer:${E}:${ACCT}:/signing-profiles/ci/v1`;

const INVENTORIES = new Map(
  [
    inventory('base-1', { lodash: '4.17.21' }),
    // base v1 republished: same number, other bytes, one package swapped.
    inventory('base-1-republished', { lodash: '4.17.21', 'event-stream': '3.3.6' }),
    inventory('base-2', { lodash: '4.17.21' }),
    inventory('base-3', { lodash: '4.17.21', ms: '2.1.3' }),
    inventory('tools-1', { chalk: '4.1.2' }),
    inventory('tools-2', { chalk: '5.0.0' }),
  ].map((i) => [`sha256:${i.artifact.sha256}`, i])
);

function recorded(
  id: number,
  result: ScanResult,
  signing: SigningFact[] | null,
  finished = `2026-11-0${id}T00:00:00.000Z`
): RecordedScan {
  return {
    info: {
      id,
      startedAt: finished,
      finishedAt: finished,
      toolVersion: 'test',
      policyDigest: null,
      verified: signing !== null,
      functions: result.functions.length,
      layerVersions: 0,
      failures: result.failures.length,
    },
    result,
    verdicts: signing === null ? null : [],
    signing: signing ?? [],
  };
}

const signing = (job: string, jobRevoked: boolean, profileRevoked: boolean): SigningFact => ({
  jobArn: JOB(job),
  profileVersionArn: PROFILE,
  jobStatus: 'Succeeded',
  jobRevoked,
  profileStatus: profileRevoked ? 'Revoked' : 'Active',
  profileRevoked,
});

const BEFORE_VERSIONS: VersionSpec[] = [
  {
    region: E,
    name: 'base',
    version: 1,
    tag: 'base-1',
    signingJob: JOB('j1'),
    signingProfile: PROFILE,
  },
  {
    region: E,
    name: 'base',
    version: 2,
    tag: 'base-2',
    signingJob: JOB('j2'),
    signingProfile: PROFILE,
  },
  { region: E, name: 'tools', version: 1, tag: 'tools-1' },
  { region: E, name: 'tools', version: 2, tag: 'tools-2' },
  { region: E, name: 'old', version: 1, tag: 'tools-1' },
];
const BEFORE_FUNCTIONS: FunctionSpec[] = [
  [E, 'a', [['base', 1]]],
  [
    E,
    'b',
    [
      ['base', 2],
      ['tools', 1],
    ],
  ],
  [E, 'gone', [['tools', 1]]],
];
const AFTER_VERSIONS: VersionSpec[] = [
  // Republished: v1 now has other bytes.
  {
    region: E,
    name: 'base',
    version: 1,
    tag: 'base-1-republished',
    signingJob: JOB('j1'),
    signingProfile: PROFILE,
  },
  {
    region: E,
    name: 'base',
    version: 2,
    tag: 'base-2',
    signingJob: JOB('j2'),
    signingProfile: PROFILE,
  },
  {
    region: E,
    name: 'base',
    version: 3,
    tag: 'base-3',
    signingJob: JOB('j3'),
    signingProfile: PROFILE,
  },
  { region: E, name: 'tools', version: 1, tag: 'tools-1' },
  { region: E, name: 'tools', version: 2, tag: 'tools-2' },
];
const AFTER_FUNCTIONS: FunctionSpec[] = [
  [E, 'a', [['base', 1]]],
  // b catches up on tools and gains base v3.
  [
    E,
    'b',
    [
      ['base', 3],
      ['tools', 2],
    ],
  ],
  [E, 'new', [['tools', 2]]],
];

function scans() {
  const before = estate(BEFORE_VERSIONS, BEFORE_FUNCTIONS);
  before.failures.push({
    scope: 'layer-version',
    subject: lvArn(E, 'x', 1),
    code: 'NOT_FOUND',
    reason: 'gone',
  });
  const after = estate(AFTER_VERSIONS, AFTER_FUNCTIONS);
  after.failures.push({
    scope: 'function',
    subject: fnArn(E, 'a'),
    code: 'ACCESS_DENIED',
    reason: 'no',
  });
  return {
    a: recorded(1, before, [signing('j1', false, false), signing('j2', false, false)]),
    b: recorded(2, after, [
      signing('j1', true, false),
      signing('j2', false, true),
      signing('j3', false, true),
    ]),
  };
}

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
    expect(
      u.unavailable.some((x) => x.startsWith(`no inventory recorded for ${digest('base-3')}`))
    ).toBe(true);
    // Without inventories a republished version is still caught, without its diff.
    expect(u.digestsChanged[0]!.diff).toBeNull();
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
