/**
 * One estate at two moments, for the history tests: BEFORE, then AFTER with one change of
 * each kind a scheduled job cares about (start each with startAwsLocal in turn):
 * - `base` v1 republished under the same number (other bytes, now with event-stream);
 * - `base` v2's signing job revoked since;
 * - `base` v3 published, `api` moved to it, `fresh` added on it;
 * - `tools` v1 deleted although `worker` still uses it (a new failure);
 * - `worker`'s Handler moved from `index.handler` to `/opt/share/doc/x.handler` (Node.js loads
 *   /opt/share/doc/x.js, a layer's data file);
 * - `tracer` keeps its Handler `/opt/nodejs/tracer.handler`, but its custom runtime (whose
 *   bootstrap read it) became Node.js, which loads /opt/nodejs/tracer.js; its version 1, published
 *   since, has the Handler `/opt/share/doc/y.handler`, which no version of it had, and sets
 *   `NODE_OPTIONS=--require /opt/nodejs/hook.js`, which no version of it set.
 */
export const HOME = '111111111111';
export const R = 'us-east-1';
export const JOB = 'c0a1b2c3-0000-4000-8000-000000000001';
export const jobArn = `arn:aws:signer:${R}:${HOME}:/signing-jobs/${JOB}`;
export const lv = (name: string, v: number) => `arn:aws:lambda:${R}:${HOME}:layer:${name}:${v}`;
export const fn = (name: string) => `arn:aws:lambda:${R}:${HOME}:function:${name}:$LATEST`;

const pkg = (name: string, version: string) =>
  `nodejs/node_modules/${name}/package.json: '{"name":"${name}","version":"${version}","license":"MIT"}'`;
const gen = (...files: string[]) => `{ files: { ${files.join(', ')} } }`;

function estate(after: boolean): string {
  const revocation = after
    ? `, revocation: { reason: key compromise, revokedAt: '2026-01-02T00:00:00Z' }`
    : '';
  return `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIACHANGESHOME00001, secretAccessKey: home-secret }]
    regions:
      ${R}:
        signingProfiles:
          - { name: Team, version: TeamVer001, status: Active }
        signingJobs:
          - { jobId: ${JOB}, profile: Team, createdAt: '2025-06-01T00:00:00Z', completedAt: '2025-06-01T00:00:05Z', signatureExpiresAt: '2035-06-01T00:00:05Z'${revocation} }
        layers:
          - name: base
            versions:
              - generate: ${after ? gen(pkg('left-pad', '1.0.0'), pkg('event-stream', '3.3.6')) : gen(pkg('left-pad', '1.0.0'))}
              - generate: ${gen(pkg('left-pad', '1.1.0'))}
                signingJob: ${JOB}
${after ? `              - generate: ${gen(pkg('left-pad', '1.3.0'))}\n` : ''}          - name: tools
            versions:
              - generate: ${gen(pkg('chalk', '4.1.2'))}
${after ? '                deleted: true\n' : ''}        functions:
          - { name: api, layers: ['base:${after ? 3 : 2}', 'tools:1'] }
          - { name: old, layers: ['base:1'] }
          - { name: worker, layers: ['tools:1']${after ? ', handler: /opt/share/doc/x.handler' : ''} }
          - { name: tracer, layers: [], runtime: ${after ? 'nodejs20.x' : 'provided.al2023'}, handler: /opt/nodejs/tracer.handler${after ? ', versions: [{ version: 1, layers: [], handler: /opt/share/doc/y.handler, environment: { variables: { NODE_OPTIONS: "--require /opt/nodejs/hook.js" } } }]' : ''} }
${after ? "          - { name: fresh, layers: ['base:3'] }\n" : ''}`;
}

export const BEFORE = estate(false);
export const AFTER = estate(true);

/** Denies event-stream (the package the republished base v1 brings). */
export const POLICY = `version: 1
default: allow
layers:
  - match: { name: '*' }
    packages:
      deny:
        - { purl: 'pkg:npm/event-stream', reason: 'compromised in 2018' }
`;
