import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ScanLayerVersion } from '../scan/result.js';
import { heldPer } from '../util/testing/heap.js';
import { sbomPathOfHex } from './drift.js';
import { resultLayerVersion } from './result-layer-version.js';

const sha = (text: string) => createHash('sha256').update(text).digest();
// New strings each time, as each layer version of an estate has: flat, as parsed from an answer.
const flat = (text: string) => JSON.parse(JSON.stringify(text)) as string;

/** An inventoried layer version whose zip is `content`'s sha256, as a scan records it. */
const inventoried = (content: string, over: Partial<ScanLayerVersion> = {}): ScanLayerVersion => {
  const bytes = sha(content);
  return {
    arn: 'arn:aws:lambda:us-east-1:111111111111:layer:tracer:3',
    region: 'us-east-1',
    version: 3,
    listed: true,
    digest: flat(`sha256:${bytes.toString('hex')}`),
    codeSha256: flat(bytes.toString('base64')),
    size: 1234,
    signingProfileVersionArn: null,
    signingJobArn: null,
    status: 'inventoried',
    failure: null,
    sbom: flat(sbomPathOfHex(bytes.toString('hex'))),
    packageCount: 2,
    inventoryComplete: true,
    usedBy: ['arn:aws:lambda:us-east-1:111111111111:function:orders:$LATEST'],
    ...over,
  };
};

describe('resultLayerVersion', () => {
  it('reads, spreads and writes as the record it was made from, member order included', () => {
    const failed = {
      status: 'failed',
      failure: { code: 'BAD_ZIP', reason: 'x' },
      sbom: null,
      packageCount: null,
      inventoryComplete: null,
    } as const;
    for (const v of [
      inventoried('a'),
      inventoried('b', failed),
      // Not read: no digest, and Lambda's CodeSha256 as it gave it (not a sha256 here).
      inventoried('c', { ...failed, digest: null, codeSha256: 'bm90IGEgc2hhMjU2' }),
      inventoried('d', { digest: null, codeSha256: null, ...failed }),
      // Strings the digest does not give are kept as they are.
      inventoried('e', { codeSha256: sha('other').toString('base64') }),
      inventoried('f', { sbom: 'sboms/image-1.cdx.json' }),
    ]) {
      const r = resultLayerVersion(v);
      expect(r.codeSha256).toBe(v.codeSha256);
      expect(r.sbom).toBe(v.sbom);
      expect(Object.keys(r)).toEqual(Object.keys(v));
      expect(JSON.stringify(r)).toBe(JSON.stringify(v));
      expect(JSON.stringify({ ...r })).toBe(JSON.stringify(v));
    }
  });

  it('holds less than the record with its CodeSha256 and SBOM path beside its digest', () => {
    let i = 0;
    const make = (build: (v: ScanLayerVersion) => ScanLayerVersion) => () =>
      build(inventoried(String(i++)));
    const kept = heldPer(make(resultLayerVersion), expect.objectContaining({}), 20_000);
    const plain = heldPer(
      make((v) => v),
      expect.objectContaining({}),
      20_000
    );
    // A 44-character base64 string and a 86-character path: ~160 bytes not kept.
    expect(plain - kept).toBeGreaterThan(120);
  });
});
