import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * Estate for `sbom ARN` / `sbom --function`: a real fixture layer (npm-basic),
 * a two-layer function where layer 2 overrides uuid's package.json and a plain
 * config file of layer 1, a function without layers, an image function, a
 * function on a deleted layer version, and a private layer of another account.
 */
export const SBOM_ESTATE = `
homeAccount: '111111111111'
accounts:
  '111111111111':
    accessKeys:
      - { accessKeyId: AKIASBOMHOME00000001, secretAccessKey: home-secret }
    regions:
      us-east-1:
        layers:
          - name: npm
            versions:
              - zip: ${JSON.stringify(join(REPO_ROOT, 'testdata/layers/npm-basic'))}
                signingJob: 5b1e2d4c-0001-4a5b-8c7d-000000000001
          - name: base
            versions:
              - generate:
                  files:
                    nodejs/node_modules/uuid/package.json: '{"name":"uuid","version":"8.3.2","license":"MIT"}'
                    nodejs/node_modules/uuid/index.js: 'module.exports = 8;'
                    nodejs/node_modules/left-pad/package.json: '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}'
                    etc/config.txt: 'one'
          - name: override
            versions:
              - generate:
                  files:
                    nodejs/node_modules/uuid/package.json: '{"name":"uuid","version":"9.0.1","license":"MIT"}'
                    etc/config.txt: 'two'
          - name: gone
            versions:
              - generate: { files: { nodejs/gone.txt: 'x' } }
                deleted: true
        signingProfiles:
          - { name: Signer, version: S1gn3r0001, status: Active }
        signingJobs:
          - { jobId: 5b1e2d4c-0001-4a5b-8c7d-000000000001, profile: Signer, createdAt: '2024-05-01T09:00:00Z', completedAt: '2024-05-01T09:00:04Z' }
        functions:
          - { name: merged, runtime: nodejs20.x, handler: src/app.handler, architectures: [arm64], layers: [base:1, override:1] }
          - { name: bare, runtime: python3.12 }
          - { name: img, packageType: Image, imageUri: 111111111111.dkr.ecr.us-east-1.amazonaws.com/img:1 }
          - { name: broken, runtime: nodejs20.x, layers: [gone:1] }
  '222222222222':
    accessKeys:
      - { accessKeyId: AKIASBOMOTHER0000001, secretAccessKey: other-secret }
    regions:
      us-east-1:
        layers:
          - name: private
            versions:
              - generate: { files: { nodejs/node_modules/p/package.json: '{"name":"p","version":"1.0.0"}' } }
`;

export const HOME = '111111111111';
export const arnOf = (name: string, v: number, account = HOME): string =>
  `arn:aws:lambda:us-east-1:${account}:layer:${name}:${v}`;
