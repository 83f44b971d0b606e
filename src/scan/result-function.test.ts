import { describe, expect, it } from 'vitest';
import { heldPer } from '../util/testing/heap.js';
import type { ScanFunction } from './result.js';
import { resultFunction } from './result-function.js';

const ARN = 'arn:aws:lambda:us-east-1:111111111111:function:orders-service-handler:$LATEST';

const plain = (over: Partial<ScanFunction> = {}): ScanFunction => ({
  account: '111111111111',
  region: 'us-east-1',
  name: 'orders-service-handler',
  arn: ARN,
  version: '$LATEST',
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  architectures: ['x86_64'],
  packageType: 'Zip',
  codeSigningConfig: null,
  layers: [],
  environment: { loaders: [] },
  ...over,
});

describe('resultFunction', () => {
  it('reads, spreads and writes as the record it was made from, member order included', () => {
    for (const f of [
      plain(),
      plain({ arn: 'arn:aws:lambda:us-east-1:111111111111:function:orders-service-handler' }),
      // No handler for an image function, and its image before its environment.
      ((f: ScanFunction): ScanFunction => ({
        account: f.account,
        region: f.region,
        name: f.name,
        arn: f.arn,
        version: f.version,
        runtime: null,
        architectures: f.architectures,
        packageType: 'Image',
        codeSigningConfig: null,
        layers: [],
        image: { uri: 'x' } as unknown as NonNullable<ScanFunction['image']>,
        environment: f.environment!,
      }))(plain()),
    ]) {
      const r = resultFunction(f);
      expect(r.name).toBe(f.name);
      expect(Object.keys(r)).toEqual(Object.keys(f));
      expect(JSON.stringify(r)).toBe(JSON.stringify(f));
      expect(JSON.stringify({ ...r })).toBe(JSON.stringify(f));
    }
  });

  it("keeps a name of its own when the ARN's differs or cannot be found", () => {
    for (const f of [
      plain({ name: 'other' }),
      plain({ name: 'orders-service' }),
      plain({ arn: 'not-an-arn', name: 'orders-service-handler' }),
    ]) {
      const r = resultFunction(f);
      expect(r.name).toBe(f.name);
      expect(JSON.stringify(r)).toBe(JSON.stringify(f));
    }
  });

  it('holds less than the record with its name beside the ARN', () => {
    let i = 0;
    // A new ARN and name each time, as each function of an estate has: flat strings of their
    // own, as parsed from an answer (a concatenated ARN would hold the name inside it).
    const flat = (text: string) => JSON.parse(JSON.stringify(text)) as string;
    const make = (build: (f: ScanFunction) => ScanFunction) => () => {
      const n = `orders-service-handler-${String(i++).padStart(7, '0')}`;
      return build(
        plain({
          name: flat(n),
          arn: flat(`arn:aws:lambda:us-east-1:111111111111:function:${n}:$LATEST`),
        })
      );
    };
    const last = (n: number) => `orders-service-handler-${String(n).padStart(7, '0')}`;
    const kept = heldPer(make(resultFunction), expect.objectContaining({}), 20_000);
    const plainHeld = heldPer(
      make((f) => f),
      expect.objectContaining({}),
      20_000
    );
    expect(last(0)).toHaveLength(30);
    // The name's own string (30 characters: ~48 bytes) is not kept.
    expect(plainHeld - kept).toBeGreaterThan(30);
  });
});
