import { join } from 'node:path';
import { startAwsLocal, type AwsEndpoint } from '@lamina/aws-local/testing';
import { scanEstate, type ScanOptions, type ScanOutcome } from '../../../src/pipeline/scan.js';

/**
 * A small estate exercising every path of the scan: two regions, a layer with
 * several versions used at different versions, a version number whose bytes
 * differ between regions, a layer owned by another account (one version shared,
 * one not), a deleted version still in use, a code signing config, an unused
 * layer, and a role to assume into the other account.
 */
export const SCAN_ESTATE = `
homeAccount: '111111111111'
accounts:
  '111111111111':
    accessKeys:
      - { accessKeyId: AKIASCANHOME00000001, secretAccessKey: home-secret }
    regions:
      us-east-1:
        codeSigningConfigs:
          - id: csc-0a1b2c3d4e5f6a7b8
            allowedPublishers: ['arn:aws:signer:us-east-1:111111111111:/signing-profiles/P/V1']
            policy: Enforce
        layers:
          - name: shared
            versions:
              - generate: { files: { nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.0.0","license":"MIT"}' } }
              - generate: { files: { nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.1.0","license":"MIT"}' } }
              - generate: { files: { nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.3.0","license":"MIT"}' } }
              - generate: { files: { nodejs/gone.txt: 'deleted' } }
                deleted: true
          - name: unused
            versions:
              - generate: { files: { python/x.py: 'x = 1' } }
        functions:
          - name: api
            codeSigningConfig: csc-0a1b2c3d4e5f6a7b8
            layers: [shared:3, 'arn:aws:lambda:us-east-1:222222222222:layer:vendor:1']
          - name: old
            layers: [shared:1]
          - name: gone
            layers: [shared:4]
          - name: denied
            layers: ['arn:aws:lambda:us-east-1:222222222222:layer:vendor:2']
          - name: plain
          - name: f01
            layers: [shared:2]
          - name: f02
            layers: [shared:2]
          - name: f03
            layers: [shared:3]
      eu-west-1:
        layers:
          - name: shared
            versions:
              - generate: { files: { nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.0.0-eu","license":"MIT"}' } }
        functions:
          - name: eu-api
            layers: [shared:1]
  '222222222222':
    accessKeys:
      - { accessKeyId: AKIASCANVENDOR000001, secretAccessKey: vendor-secret }
    roles:
      - name: Audit
        trustedAccounts: ['111111111111']
    regions:
      us-east-1:
        layers:
          - name: vendor
            versions:
              - generate: { files: { nodejs/node_modules/vendor-lib/package.json: '{"name":"vendor-lib","version":"2.0.0","license":"Apache-2.0"}' } }
                public: true
              - generate: { files: { nodejs/node_modules/vendor-lib/package.json: '{"name":"vendor-lib","version":"2.1.0","license":"Apache-2.0"}' } }
`;

/** Our retries, with short backoffs so seeded faults do not slow the tests down. */
const FAST = { attempts: 6, baseMs: 5, capMs: 50 };

export interface Harness {
  dir: string;
  endpoint: AwsEndpoint;
  scan(overrides?: Partial<ScanOptions>): Promise<ScanOutcome>;
  close(): Promise<void>;
}

/** Start the local endpoint on an estate and give a scan preset to talk to it. */
export async function startHarness(
  estateYaml: string,
  endpointOptions: { faults?: string; contentUrlExpiresSeconds?: number } = {}
): Promise<Harness> {
  const local = await startAwsLocal(estateYaml, endpointOptions);
  return {
    dir: local.dir,
    endpoint: local.endpoint,
    scan: (overrides = {}) =>
      scanEstate({
        regions: ['us-east-1', 'eu-west-1'],
        roleArns: [],
        aws: local.aws,
        cacheDir: local.cacheDir,
        outDir: join(local.dir, 'out'),
        concurrency: 4,
        pageSize: 2,
        retry: { api: FAST, download: FAST },
        ...overrides,
      }),
    close: () => local.close(),
  };
}
