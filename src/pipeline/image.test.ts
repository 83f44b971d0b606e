import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../scripts/lib/tarwriter.mjs';
import { UnpackError } from '../errors.js';
import { isImageInput, listArchiveMembers } from './image.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-pipeline-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function archive(name: string, bytes: Buffer): string {
  const file = join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}

describe('docker-archive members through lamina tar reader', () => {
  it('lists files, directories and links with their data offsets', async () => {
    const file = archive(
      'ok.tar',
      writeTar([
        { name: 'manifest.json', data: '[]' },
        { name: 'abc/', type: 'dir' },
        { name: 'abc/layer.tar', data: 'x'.repeat(600) },
        { name: 'def.tar', type: 'symlink', linkname: 'abc/layer.tar' },
      ])
    );
    const members = await listArchiveMembers(file, { maxMembers: 10 });
    expect(members).toEqual([
      { name: 'manifest.json', type: 'file', size: 2, dataOffset: 512 },
      { name: 'abc', type: 'directory', size: 0, dataOffset: 1536 },
      { name: 'abc/layer.tar', type: 'file', size: 600, dataOffset: 2048 },
      { name: 'def.tar', type: 'symlink', size: 0, dataOffset: 3584, linkname: 'abc/layer.tar' },
    ]);
  });

  it('refuses an outer tar two readers would read differently (a member twice, data after the end)', async () => {
    const twice = archive(
      'twice.tar',
      writeTar([
        { name: 'manifest.json', data: '[]' },
        { name: 'manifest.json', data: '[{}]' },
      ])
    );
    await expect(listArchiveMembers(twice, { maxMembers: 10 })).rejects.toMatchObject({
      code: 'DUPLICATE_ENTRY',
    });
    const trailing = archive(
      'trailing.tar',
      writeTar([{ name: 'manifest.json', data: '[]' }], {
        trailer: writeTar([{ name: 'hidden', data: 'x' }]),
      })
    );
    const err: unknown = await listArchiveMembers(trailing, { maxMembers: 10 }).catch(
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(UnpackError);
    expect((err as UnpackError).code).toBe('DATA_AFTER_END');
  });

  it('bounds the member count', async () => {
    const many = archive(
      'many.tar',
      writeTar(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: '' })))
    );
    await expect(listArchiveMembers(many, { maxMembers: 3 })).rejects.toBeInstanceOf(UnpackError);
  });
});

describe('isImageInput', () => {
  it('tells images from layers', async () => {
    const zip = archive('layer.zip', Buffer.from('PK'));
    expect(await isImageInput(`oci:${tmp}`)).toBe(true);
    expect(await isImageInput(`docker-archive:${zip}`)).toBe(true);
    expect(await isImageInput('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1')).toBe(true);
    expect(await isImageInput('localhost:5000/app@sha256:' + 'a'.repeat(64))).toBe(true);
    // An existing path is a layer, even when it would parse as a reference.
    expect(await isImageInput(zip)).toBe(false);
    expect(await isImageInput('arn:aws:lambda:us-east-1:123456789012:layer:x:1')).toBe(false);
    expect(await isImageInput('missing-layer.zip')).toBe(false);
    expect(await isImageInput(join(tmp, 'no/such.zip'))).toBe(false);
    expect(await isImageInput('layers.d/missing.zip')).toBe(false);
  });
});
