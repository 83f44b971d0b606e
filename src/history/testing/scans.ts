/**
 * Two recorded scans of a small estate with one change of every kind between them (used by the
 * changes tests and the report tests).
 */
import {
  ACCT,
  estate,
  fnArn,
  inventory,
  lvArn,
  type FunctionSpec,
  type VersionSpec,
} from '../../estate/testing/estate.js';
import type { ScanResult } from '../../scan/result.js';
import type { RecordedScan, SigningFact } from '../types.js';

export const E = 'us-east-1';
export const JOB = (id: string) => `arn:aws:signer:${E}:${ACCT}:/signing-jobs/${id}`;
export const PROFILE = `arn:aws:signer:${E}:${ACCT}:/signing-profiles/ci/v1`;

export const INVENTORIES = new Map(
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

export function recorded(
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

export function scans() {
  const before = estate(BEFORE_VERSIONS, BEFORE_FUNCTIONS);
  // b's custom runtime hands its Handler to the bootstrap; b runs on Node.js after (below).
  before.functions = before.functions.map((f) =>
    f.arn === fnArn(E, 'b')
      ? { ...f, runtime: 'provided.al2023', handler: '/opt/nodejs/tracer.handler' }
      : f
  );
  before.failures.push({
    scope: 'layer-version',
    subject: lvArn(E, 'x', 1),
    code: 'NOT_FOUND',
    reason: 'gone',
  });
  const after = estate(AFTER_VERSIONS, AFTER_FUNCTIONS);
  // a's Handler now names a layer's data file (Node.js loads /opt/share/doc/x.js); b keeps its
  // Handler, now read by Node.js (it loads /opt/nodejs/tracer.js).
  after.functions = after.functions.map((f) =>
    f.arn === fnArn(E, 'a')
      ? { ...f, handler: '/opt/share/doc/x.handler' }
      : f.arn === fnArn(E, 'b')
        ? { ...f, handler: '/opt/nodejs/tracer.handler' }
        : f
  );
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
