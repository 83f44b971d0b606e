/** The estate of image functions the scan's image tests run against, and its names. */
import { resolve } from 'node:path';

export const HOME = '111111111111';
export const VENDOR = '222222222222';
export const MULTI = resolve('testdata/images/multi-oci');
export const ALPINE = resolve('testdata/images/vectors/notation-go/internal/testdata/oci-layout');
export const ALPINE_DIGEST =
  'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
export const AMD64 = 'sha256:4f0d0f0a86abbe2a11a7b53ad6618089b4a5efaddab48bf4c9dff32cea0f6194';
export const ARM64 = 'sha256:6825d616421d123ff6d68e36e9225c1d9cc8f93caa2b85b600025673502dc679';
export const ecr = (account: string, region: string): string =>
  `${account}.dkr.ecr.${region}.amazonaws.com`;
export const fn = (region: string, name: string, v = '$LATEST'): string =>
  `arn:aws:lambda:${region}:${HOME}:function:${name}:${v}`;

/**
 * Image functions on every path: a tag that moved after deploy, a published version deployed
 * after the move, an arm64 function from a multi-platform index, an architecture mismatch, a
 * CodeSha256 that disagrees, an archived image, another account's repository (shared, and not),
 * and the same repository and tag in another region naming another digest.
 */
export const IMAGE_ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAIMAGEHOME0000001, secretAccessKey: home }]
    regions:
      us-east-1:
        ecr:
          repositories:
            - name: app/web
              images:
                - { layout: '${ALPINE}', tags: [prod], pushedAt: '2024-01-10T00:00:00Z' }
                - { layout: '${MULTI}', ref: amd64, tags: [prod], pushedAt: '2024-03-01T00:00:00Z' }
            - name: multi
              imageTagMutability: IMMUTABLE
              images:
                - { layout: '${MULTI}', ref: multi, tags: ['1.0'], pushedAt: '2024-02-01T00:00:00Z' }
                - { layout: '${ALPINE}', tags: [old], pushedAt: '2024-02-02T00:00:00Z', status: ARCHIVED }
        functions:
          - name: web
            packageType: Image
            imageUri: ${ecr(HOME, 'us-east-1')}/app/web:prod
            lastModified: '2024-02-01T00:00:00Z'
            versions:
              - { version: '1', imageUri: '${ecr(HOME, 'us-east-1')}/app/web:prod', lastModified: '2024-04-01T00:00:00Z' }
          - name: worker
            packageType: Image
            architectures: [arm64]
            imageUri: ${ecr(HOME, 'us-east-1')}/multi:1.0
            lastModified: '2024-02-05T00:00:00Z'
          - name: wrong-arch
            packageType: Image
            architectures: [arm64]
            imageUri: ${ecr(HOME, 'us-east-1')}/app/web@${ALPINE_DIGEST}
          - name: bad-sha
            packageType: Image
            imageUri: ${ecr(HOME, 'us-east-1')}/multi@${AMD64}
            codeSha256: '${'0'.repeat(64)}'
          - name: archived
            packageType: Image
            imageUri: ${ecr(HOME, 'us-east-1')}/multi:old
          - name: vendor-ok
            packageType: Image
            architectures: [arm64]
            imageUri: ${ecr(VENDOR, 'us-east-1')}/shared:latest
          - name: vendor-denied
            packageType: Image
            imageUri: ${ecr(VENDOR, 'us-east-1')}/private:latest
          - name: zip-fn
      eu-west-1:
        ecr:
          repositories:
            - name: app/web
              images:
                - { layout: '${ALPINE}', tags: [prod], pushedAt: '2024-01-01T00:00:00Z' }
        functions:
          - name: web
            packageType: Image
            imageUri: ${ecr(HOME, 'eu-west-1')}/app/web:prod
  '${VENDOR}':
    accessKeys: [{ accessKeyId: AKIAIMAGEVENDOR00001, secretAccessKey: vendor }]
    regions:
      us-east-1:
        ecr:
          repositories:
            - name: shared
              sharedWith: ['${HOME}']
              images:
                - { layout: '${MULTI}', ref: arm64, tags: [latest], pushedAt: '2024-01-01T00:00:00Z' }
            - name: private
              images:
                - { layout: '${MULTI}', ref: amd64, tags: [latest], pushedAt: '2024-01-01T00:00:00Z' }
`;
