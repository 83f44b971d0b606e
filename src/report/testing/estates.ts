/**
 * A small drifted estate with its package drift computed, for the report tests: a layer used at
 * two versions (one function also has a hotfix layer that hides a package), a version number
 * with other bytes in another region, a layer that could not be read, and a package and a
 * function named to break out of Markdown, HTML and terminals.
 */
import { analyzeEstate } from '../../estate/analyze.js';
import {
  estate,
  inventory,
  type FunctionSpec,
  type VersionSpec,
} from '../../estate/testing/estate.js';
import { computeImageDrift } from '../../scan/image-drift.js';
import type { ScanImage, ScanImageRepository } from '../../scan/image-result.js';
import { scanImage, scanRepository, TEST_REGISTRY } from '../../scan/testing/images.js';
import type { ScanFunction, ScanResult } from '../../scan/result.js';

/** Markup, a table pipe, a terminal escape and a bidi override. */
export const EVIL = '<img src=x onerror="window.__pwned=1"> | \u001b[2J\u202e';

const E = 'us-east-1';
const W = 'eu-west-1';

export function driftedEstate(): ScanResult {
  const inventories = new Map(
    [
      inventory('base-1', { lodash: '4.17.20', uuid: '9.0.1', [EVIL]: '1.0.0' }),
      inventory('base-2', { lodash: '4.17.21', uuid: '10.0.0' }),
      inventory('base-1-eu', { lodash: '4.17.19', uuid: '9.0.1' }),
      inventory('hotfix-1', { lodash: '4.17.21' }),
      inventory('tools-1', { chalk: '5.0.0' }),
    ].map((i) => [`sha256:${i.artifact.sha256}`, i])
  );
  const versions: VersionSpec[] = [
    { region: E, name: 'base', version: 1, tag: 'base-1' },
    { region: E, name: 'base', version: 2, tag: 'base-2' },
    { region: W, name: 'base', version: 1, tag: 'base-1-eu' },
    { region: E, name: 'hotfix', version: 1, tag: 'hotfix-1' },
    { region: E, name: 'tools', version: 1, tag: 'tools-1' },
    { region: E, name: 'gone', version: 1, tag: null },
  ];
  const functions: FunctionSpec[] = [
    [E, 'api', [['base', 1]]],
    [
      E,
      'worker',
      [
        ['base', 1],
        ['hotfix', 1],
      ],
    ],
    [
      E,
      'fresh',
      [
        ['base', 2],
        ['tools', 1],
      ],
    ],
    [W, 'eu-api', [['base', 1]]],
    [E, 'broken', [['gone', 1]]],
    [E, EVIL, [['tools', 1]]],
  ];
  const result = estate(versions, functions);
  result.failures.push({
    scope: 'layer-version',
    subject: 'arn:aws:lambda:us-east-1:111111111111:layer:gone:1',
    code: 'NOT_FOUND',
    reason: `GetLayerVersion: ResourceNotFoundException ${EVIL}`,
  });
  Object.assign(result.drift, analyzeEstate(result, { inventoryOf: (d) => inventories.get(d) }));
  return result;
}

const REG = TEST_REGISTRY;
const dg = (c: string): string => `sha256:${c.repeat(64)}`;

/**
 * {@link driftedEstate} with three image functions in two ECR repositories: one deployed by a
 * tag that moved since (a tag and a failure reason carry {@link EVIL}), one on the newest image,
 * and one whose image could not be read; image drift computed.
 */
export function imagedEstate(): ScanResult {
  const result = driftedEstate();
  const imageFn = (name: string, uri: string, digest: string, repo: string): ScanFunction => ({
    account: '111111111111',
    region: E,
    name,
    arn: `arn:aws:lambda:${E}:111111111111:function:${name}:$LATEST`,
    version: '$LATEST',
    runtime: null,
    architectures: ['x86_64'],
    packageType: 'Image',
    codeSigningConfig: null,
    layers: [],
    image: {
      uri,
      resolvedUri: `${REG}/${repo}@${digest}`,
      digest,
      codeSha256: digest.slice(7),
      repository: `${REG}/${repo}`,
    },
  });
  const fns = [
    imageFn('thumbs', `${REG}/thumbs:prod`, dg('a'), 'thumbs'),
    imageFn('pdf', `${REG}/thumbs@${dg('b')}`, dg('b'), 'thumbs'),
    imageFn(`bad${EVIL}`, `${REG}/broken:1`, dg('c'), 'broken'),
  ];
  result.functions.push(...fns);
  const image = (digest: string, extra: Partial<ScanImage>): ScanImage =>
    scanImage(digest, '2024-01-01T00:00:00Z', { pushOrder: 1, packageCount: 12, ...extra });
  const repo = (name: string, extra: Partial<ScanImageRepository>): ScanImageRepository =>
    scanRepository({ name, imageCount: 2, ...extra });
  result.images = [
    repo('broken', {
      tags: [{ tag: '1', digest: dg('c'), pushedAt: '2024-01-01T00:00:00Z' }],
      newestDigest: dg('c'),
      images: [
        image(dg('c'), {
          tags: ['1'],
          usedBy: [fns[2]!.arn],
          status: 'failed',
          failure: { code: 'LAYER_REFUSED', reason: `a layer entry escapes the root ${EVIL}` },
          packageCount: null,
          architecture: null,
        }),
      ],
    }),
    repo('thumbs', {
      tags: [
        { tag: 'prod', digest: dg('b'), pushedAt: '2024-02-01T00:00:00Z' },
        { tag: EVIL, digest: dg('b'), pushedAt: '2024-02-01T00:00:00Z' },
      ],
      newestDigest: dg('b'),
      images: [
        image(dg('a'), { usedBy: [fns[0]!.arn] }),
        image(dg('b'), {
          tags: ['prod', EVIL],
          pushOrder: 2,
          pushedAt: '2024-02-01T00:00:00Z',
          usedBy: [fns[1]!.arn],
          architecture: 'arm64',
        }),
      ],
    }),
  ];
  result.drift.images = computeImageDrift(
    fns.map((f) => ({ arn: f.arn, architectures: f.architectures, image: f.image! })),
    result.images
  );
  return result;
}
