import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectBundles, MAX_BUNDLE_BYTES } from './bundles.js';

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

  it('reads a directory source as bounded regular files: a FIFO, a device or a large file is an error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lamina-bundles-'));
    try {
      await writeFile(join(dir, `${digest}.a.json`), '{"mediaType":"x"}');
      await writeFile(join(dir, `${digest}.b.json`), 'x'.repeat(MAX_BUNDLE_BYTES + 1));
      execFileSync('mkfifo', [join(dir, `${digest}.c.json`)]);
      execFileSync('ln', ['-s', '/dev/zero', join(dir, `${digest}.d.json`)]);
      const r = await collectBundles(digest, [{ dir }], { baseDir: '.' });
      expect(r.bundles).toEqual([
        { source: join(dir, `${digest}.a.json`), bundle: { mediaType: 'x' } },
      ]);
      expect(r.errors).toEqual([
        expect.stringMatching(/b\.json: .*over \d+ bytes/),
        expect.stringMatching(/c\.json: .*not a regular file/),
        expect.stringMatching(/d\.json: .*not a regular file/),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
