import { describe, expect, it } from 'vitest';
import { renderScanStats, type ScanCostFigures } from './scan-stats.js';

const figures = (over: Partial<ScanCostFigures> = {}): ScanCostFigures => ({
  api: {
    requests: 12,
    throttled: 2,
    byOperation: new Map([
      ['ListFunctionsCommand', 5],
      ['GetLayerVersionByArnCommand', 6],
      ['GetCallerIdentityCommand', 1],
    ]),
  },
  apiFloor: 10,
  cost: { identities: 1, listPages: 5, described: 4, reused: 3, codeSigningFallbacks: 0 },
  downloads: 2,
  bytesDownloaded: 2048,
  cacheHits: 1,
  sbomsReused: 1,
  inventoried: 2,
  packageDriftReused: false,
  ...over,
});

describe('renderScanStats', () => {
  it('shows calls against the floor, per operation, and the content work', () => {
    expect(renderScanStats(figures())).toBe(
      [
        'API calls 12, floor 10 (1.20 × floor), 2 throttled',
        '  GetCallerIdentity     1',
        '  GetLayerVersionByArn  6',
        '  ListFunctions         5',
        'floor: 1 identities, 5 list pages, 4 layer versions described (3 known from an earlier scan)',
        'content: 2 downloads (2.0 KiB), 1 from cache, 1 SBOMs reused, 2 inventoried',
        'package drift: computed',
        '',
      ].join('\n')
    );
    expect(renderScanStats(figures({ packageDriftReused: true }))).toContain(
      'package drift: reused (its inputs unchanged since an earlier scan)\n'
    );
  });

  it('says when code signing fell back to per-function calls, and has no ratio without a floor', () => {
    const text = renderScanStats(
      figures({
        apiFloor: 0,
        cost: { identities: 0, listPages: 0, described: 0, reused: 0, codeSigningFallbacks: 2 },
      })
    );
    expect(text).toContain('floor 0 (- × floor)');
    expect(text).toContain('listings failed in 2 regions');
  });

  it('counts image work against its floor: GetFunction, tokens, ECR calls, manifest and blob GETs', () => {
    const base = figures();
    const text = renderScanStats(
      figures({
        api: {
          ...base.api,
          byOperation: new Map([
            ...base.api.byOperation,
            ['GetFunctionCommand', 4],
            ['GetAuthorizationTokenCommand', 2],
            ['DescribeRepositoriesCommand', 2],
            ['DescribeImagesCommand', 3],
            ['BatchGetImageCommand', 1],
          ]),
        },
        images: {
          imageFunctions: 3,
          tokenRequests: 2,
          tokenFloor: 1,
          ecrFloor: 5,
          imagesRead: 2,
          registry: { manifests: 3, blobs: 6, other: 1 },
          registryFloor: { manifests: 2, blobs: 5 },
        },
      })
    );
    expect(text).toContain(
      'images: 3 image functions, 2 images read; GetFunction 4 (floor 3), ' +
        'GetAuthorizationToken 2 (floor 1), other ECR calls 6 (floor 5)\n' +
        'registry: manifest GETs 3 (floor 2), blob GETs 6 (floor 5), 1 other requests\n'
    );
    // No image function, no images lines.
    expect(renderScanStats(figures({ images: null }))).not.toContain('images:');
  });
});
