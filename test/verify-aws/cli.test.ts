import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectBundles } from '../../src/fetch/bundles.js';
import { zipFiles } from '@lamina/aws-local/testing';
import {
  SIGNER_ESTATE,
  SIGNER_POLICY,
  lamina,
  layerArn,
  startVerifyHarness,
  type VerifyHarness,
} from './helpers.js';

let h: VerifyHarness;
let policy: string;

beforeAll(async () => {
  h = await startVerifyHarness(SIGNER_ESTATE);
  policy = await h.file('policy.yaml', SIGNER_POLICY);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await h.close();
});

describe('verify ARN: formats and exit codes', () => {
  it('writes SARIF for an ARN with the failing check as a result', async () => {
    const r = await lamina([
      'verify',
      layerArn('l-unsigned'),
      '--policy',
      policy,
      '--format',
      'sarif',
      ...h.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: { results: { ruleId?: string; level?: string }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(JSON.stringify(sarif.runs[0]!.results)).toContain('signer:team');
  });

  it('exits 2 for a malformed ARN and for a layer version that does not exist', async () => {
    expect(
      (
        await lamina([
          'verify',
          'arn:aws:lambda:us-east-1:1:layer:x',
          '--policy',
          policy,
          ...h.awsFlags,
        ])
      ).code
    ).toBe(2);
    const gone = await lamina(['verify', layerArn('l-good', 9), '--policy', policy, ...h.awsFlags]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/BAD_INPUT/);
  });

  it('exits 2 for usage errors: no policy, two inputs', async () => {
    expect((await lamina(['verify', layerArn('l-good'), ...h.awsFlags])).code).toBe(2);
    expect((await lamina(['verify', layerArn('l-good'), '--all', '--policy', policy])).code).toBe(
      2
    );
  });

  it('exits 3 when the endpoint is unreachable', async () => {
    const other = await startVerifyHarness(SIGNER_ESTATE);
    const flags = other.awsFlags;
    await other.close();
    const r = await lamina(['verify', layerArn('l-good'), '--policy', policy, ...flags]);
    expect(r.code).toBe(3);
    const all = await lamina([
      'verify',
      '--all',
      '--region',
      'us-east-1',
      '--policy',
      policy,
      ...flags,
    ]);
    expect(all.code).toBe(3);
  }, 60_000);
});

describe('pin ARN', () => {
  it("pins the layer version's CodeSha256 as hex with its version number", async () => {
    const p = await h.file('pin-policy.yaml', SIGNER_POLICY);
    const r = await lamina([
      'pin',
      layerArn('l-good'),
      '--policy',
      p,
      '--layer-name',
      'l-good',
      '--endpoint-url',
      h.endpoint.url,
    ]);
    expect(r.code).toBe(0);
    // The same bytes the estate generated for l-good:1, hashed here independently.
    const zip = zipFiles({
      'nodejs/node_modules/l-good/package.json':
        '{"name":"l-good","version":"1.0.0","license":"MIT"}',
    });
    const hex = createHash('sha256').update(zip).digest('hex');
    const text = await readFile(p, 'utf8');
    expect(text).toContain(`- sha256: '${hex}'\n        version: 1`);
    // Now the digest check passes for that version.
    const v = await lamina(['verify', layerArn('l-good'), '--policy', p, ...h.awsFlags]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      /PASS digest: sha256 [0-9a-f]{64} is pinned as version 1 and equals CodeSha256/
    );
  });

  it('exits 2 for a layer version that does not exist', async () => {
    const r = await lamina([
      'pin',
      layerArn('l-good', 5),
      '--policy',
      policy,
      '--layer-name',
      'l-good',
      '--endpoint-url',
      h.endpoint.url,
    ]);
    expect(r.code).toBe(2);
  });
});

describe('bundle sources', () => {
  const digest = 'ab'.repeat(32);
  it('fetches https templates keyed by the digest, treats 404 as none, reports s3 unread without AWS access', async () => {
    const asked: string[] = [];
    const fake = (url: string) => {
      asked.push(url);
      if (url.includes('missing')) return Promise.resolve(new Response('nope', { status: 404 }));
      return Promise.resolve(new Response('{"mediaType":"x"}', { status: 200 }));
    };
    const r = await collectBundles(
      digest,
      [
        { url: 'https://a.example/{digest}.json' },
        { url: 'https://a.example/missing/{digest}' },
        { s3: 's3://b/p/' },
        { url: 'http://plain/{digest}' },
      ],
      { baseDir: '.', fetch: fake }
    );
    expect(asked).toEqual([
      `https://a.example/${digest}.json`,
      `https://a.example/missing/${digest}`,
    ]);
    expect(r.bundles).toEqual([
      { source: `https://a.example/${digest}.json`, bundle: { mediaType: 'x' } },
    ]);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^s3:\/\/b\/p\/: .*need AWS access \(not read\)/);
    expect(r.errors[1]).toMatch(/only https/);
  });

  it('refuses a bundle body over the size bound', async () => {
    const big = (url: string) =>
      Promise.resolve(
        new Response('x'.repeat(2 * 1024 * 1024 + 1), { status: 200, headers: { 'x-u': url } })
      );
    const r = await collectBundles(digest, [{ url: 'https://a.example/{digest}' }], {
      baseDir: '.',
      fetch: big,
    });
    expect(r.bundles).toEqual([]);
    expect(r.errors[0]).toMatch(/exceeds/);
  });
});
