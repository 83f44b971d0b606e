/**
 * `verify-bundle`'s artifact: kept as bytes when small, verified by its sha256 when large, read
 * once (a FIFO too) and never past its bound.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { MAX_BYTES_FOR_SIGSTORE } from '../verify/evidence.js';
import {
  ISSUER,
  emailClaims,
  startPrivateSigstore,
  stopAllPrivateSigstores,
} from '../verify/sigstore/testing/private-sigstore.js';
import { readArtifact, verifyBundleFile } from './bundle.js';

const EMAIL = 'ci@example.com';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamina-bundle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  stopAllPrivateSigstores();
});

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readArtifact', () => {
  const bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

  it('keeps an artifact up to the in-memory bound as its bytes', async () => {
    const path = file('small', bytes);
    expect(await readArtifact(path, { inMemory: bytes.length, max: 100 })).toEqual({
      $case: 'bytes',
      bytes,
    });
  });

  it('keeps only the sha256 of a larger one', async () => {
    const path = file('larger', bytes);
    expect(await readArtifact(path, { inMemory: bytes.length - 1, max: 100 })).toEqual({
      $case: 'digest',
      sha256: sha256(bytes),
    });
  });

  it('refuses an artifact over the bound with BAD_INPUT', async () => {
    const path = file('over', bytes);
    const err = await readArtifact(path, { inMemory: 4, max: bytes.length - 1 }).catch(
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    expect((err as Error).message).toContain(`larger than ${bytes.length - 1} bytes`);
  });

  it('reads a FIFO once, to its end, and stops one that never ends at the bound', async () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `printf %s '${bytes.toString()}' > '${fifo}'`]);
    const written = new Promise((done) => writer.on('exit', done));
    expect(await readArtifact(fifo, { inMemory: 1000, max: 2000 })).toEqual({
      $case: 'bytes',
      bytes,
    });
    await written;
    const endless = spawn('sh', ['-c', `exec cat /dev/zero > '${fifo}'`]);
    try {
      await expect(readArtifact(fifo, { inMemory: 1000, max: 3_000_000 })).rejects.toMatchObject({
        code: 'BAD_INPUT',
      });
    } finally {
      endless.kill();
    }
  });

  it('refuses an unreadable artifact with BAD_INPUT', async () => {
    await expect(readArtifact(join(dir, 'missing'))).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(readArtifact(dir)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('verifyBundleFile with an artifact over the in-memory bound', () => {
  it('verifies it by its sha256, and fails it with one byte changed', async () => {
    const sig = await startPrivateSigstore();
    const big = Buffer.alloc(MAX_BYTES_FOR_SIGSTORE + 1, 0x5a);
    const artifact = file('big.zip', big);
    const bundle = file(
      'big.sigstore.json',
      Buffer.from(JSON.stringify(await sig.signKeyless(big, emailClaims(EMAIL))))
    );
    const trustedRoot = file('trusted_root.json', sig.trustedRootBytes);
    const signer = { identity: EMAIL, issuer: ISSUER };
    expect((await readArtifact(artifact)).$case).toBe('digest');
    expect(await verifyBundleFile({ bundle, artifact, signer, trustedRoot })).toMatchObject({
      ok: true,
      code: 'OK',
    });
    big[big.length - 1] = 0x5b;
    const changed = file('changed.zip', big);
    expect(
      await verifyBundleFile({ bundle, artifact: changed, signer, trustedRoot })
    ).toMatchObject({ ok: false, code: 'ARTIFACT_MISMATCH' });
  });
});
