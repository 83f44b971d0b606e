import { describe, expect, it } from 'vitest';
import { computeImageDrift, tagOf, type ImageFunctionView } from './image-drift.js';
import { scanImage, scanRepository, TEST_REGISTRY as REG } from './testing/images.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;

const image = scanImage;
const repo = scanRepository;

function fn(arn: string, uri: string, digest: string, arch = 'x86_64'): ImageFunctionView {
  return {
    arn,
    architectures: [arch],
    image: {
      uri,
      resolvedUri: `${REG}/app@${digest}`,
      digest,
      codeSha256: digest.slice(7),
      repository: `${REG}/app`,
    },
  };
}

describe('image drift', () => {
  it('reads the tag of an image URI, not of a digest reference or a registry port', () => {
    expect(tagOf(`${REG}/app:v1`)).toBe('v1');
    expect(tagOf(`${REG}/app@${d('a')}`)).toBeNull();
    expect(tagOf('127.0.0.1:5000/app')).toBeNull();
    expect(tagOf(null)).toBeNull();
  });

  it('a moved tag and lag; a tag naming an index that lists the digest has not moved', () => {
    const r = repo({
      tags: [
        { tag: 'prod', digest: d('b'), pushedAt: '2024-03-01T00:00:00Z' },
        { tag: 'multi', digest: d('i'), pushedAt: '2024-04-01T00:00:00Z' },
      ],
      newestDigest: d('i'),
      images: [
        image(d('a'), '2024-01-01T00:00:00Z'),
        image(d('c'), '2024-04-01T00:00:00Z', { indexes: [d('i')], architecture: 'arm64' }),
      ],
    });
    const drift = computeImageDrift(
      [
        fn('arn:old', `${REG}/app:prod`, d('a')),
        fn('arn:child', `${REG}/app:multi`, d('c'), 'arm64'),
      ],
      [r]
    );
    expect(drift.functions).toEqual([
      {
        arn: 'arn:child',
        repository: `${REG}/app`,
        deployedDigest: d('c'),
        tag: 'multi',
        tagNow: d('i'),
        newestDigest: d('i'),
        behind: 0,
      },
      {
        arn: 'arn:old',
        repository: `${REG}/app`,
        deployedDigest: d('a'),
        tag: 'prod',
        tagNow: d('b'),
        newestDigest: d('i'),
        behind: 2,
      },
    ]);
    const kinds = drift.findings.map((f) => `${f.function} ${f.kind}`);
    expect(kinds).toContain('arn:old tag-moved');
    expect(kinds).toContain('arn:old behind-newest');
    expect(kinds).not.toContain('arn:child tag-moved');
    expect(kinds).not.toContain('arn:child architecture-mismatch');
  });

  it('flags CodeSha256, architecture, archived and mutable-tag deploys; not an immutable one', () => {
    const r = repo({
      tagMutability: 'IMMUTABLE',
      tags: [{ tag: 'v1', digest: d('a'), pushedAt: '2024-01-01T00:00:00Z' }],
      newestDigest: d('a'),
      images: [image(d('a'), '2024-01-01T00:00:00Z', { imageStatus: 'ARCHIVED' })],
    });
    const bad = fn('arn:f', `${REG}/app:v1`, d('a'), 'arm64');
    bad.image.codeSha256 = '0'.repeat(64);
    const drift = computeImageDrift([bad], [r]);
    expect(drift.findings.map((f) => [f.kind, f.severity])).toEqual([
      ['architecture-mismatch', 'error'],
      ['code-sha-mismatch', 'error'],
      ['image-archived', 'error'],
    ]);
    const mutable = computeImageDrift(
      [fn('arn:g', `${REG}/app:v1`, d('a'))],
      [{ ...r, tagMutability: 'MUTABLE' }]
    );
    expect(mutable.findings.map((f) => f.kind)).toContain('mutable-tag-deploy');
  });

  it('the same name and tag naming different digests in two registries, and shared digests', () => {
    const eu = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
    const a = repo({ tags: [{ tag: 'prod', digest: d('a'), pushedAt: null }] });
    const b = repo({
      registry: eu,
      region: 'eu-west-1',
      tags: [{ tag: 'prod', digest: d('b'), pushedAt: null }],
    });
    const drift = computeImageDrift(
      [fn('arn:1', `${REG}/app@${d('a')}`, d('a')), fn('arn:2', `${REG}/app@${d('a')}`, d('a'))],
      [a, b]
    );
    // Registries in name order: eu-west-1 before us-east-1.
    expect(drift.tagsAcrossRegistries).toEqual([
      {
        name: 'app',
        tag: 'prod',
        registries: [
          { registry: eu, digest: d('b') },
          { registry: REG, digest: d('a') },
        ],
      },
    ]);
    expect(drift.sharedDigests).toEqual([{ digest: d('a'), functions: ['arn:1', 'arn:2'] }]);
  });
});
