import { describe, expect, it } from 'vitest';
import { ociPurl, type ImageSubject } from './image.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function subject(extra: Partial<ImageSubject>): ImageSubject {
  return {
    name: 'x',
    transport: 'oci',
    configDigest: `sha256:${'cd'.repeat(32)}`,
    platform: 'linux/arm64/v8',
    architecture: 'arm64',
    layers: [],
    size: 0,
    scope: 'squashed',
    inventory: {
      artifact: { name: 'x', kind: 'image', sha256: 'ab', size: 0, properties: {} },
      packages: [],
      findings: [],
      complete: true,
    },
    removed: [],
    ...extra,
  };
}

describe('pkg:oci purl', () => {
  it('names a registry image by the last segment of its repository, with repository_url', () => {
    expect(
      ociPurl(
        subject({
          manifestDigest: DIGEST,
          repositoryUrl: '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/App',
          tag: 'v1.2',
        })
      )
    ).toBe(
      `pkg:oci/app@sha256%3A${'ab'.repeat(32)}?arch=arm64&repository_url=123456789012.dkr.ecr.us-east-1.amazonaws.com/team/App&tag=v1.2`
    );
  });

  it('names a layout image by its own name, and has none without a manifest digest', () => {
    expect(ociPurl(subject({ manifestDigest: DIGEST, imageName: 'build-oci' }))).toBe(
      `pkg:oci/build-oci@sha256%3A${'ab'.repeat(32)}?arch=arm64`
    );
    expect(ociPurl(subject({ manifestDigest: DIGEST, imageName: 'Bad Name!' }))).toMatch(
      /^pkg:oci\/image@/
    );
    expect(ociPurl(subject({ transport: 'docker-archive' }))).toBeUndefined();
  });

  it('percent-encodes a tag that needs it', () => {
    expect(ociPurl(subject({ manifestDigest: DIGEST, imageName: 'a', tag: 'x+y' }))).toContain(
      '&tag=x%2By'
    );
  });
});
