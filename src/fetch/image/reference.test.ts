import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyImageInput, formatImageReference, parseImageReference } from './reference.js';
import { codeOf } from './testing/expect-code.js';

const D = `sha256:${'0123456789abcdef'.repeat(4)}`;

const refCode = (text: string): string | undefined => codeOf(() => parseImageReference(text));

describe('parseImageReference', () => {
  it('reads OCI layout references', () => {
    expect(parseImageReference('oci:some/dir')).toEqual({ transport: 'oci', dir: 'some/dir' });
    expect(parseImageReference('oci:/abs/dir:v2')).toEqual({
      transport: 'oci',
      dir: '/abs/dir',
      ref: 'v2',
    });
    expect(parseImageReference(`oci:/abs/dir@${D}`)).toEqual({
      transport: 'oci',
      dir: '/abs/dir',
      digest: D,
    });
  });

  it('reads docker-archive references', () => {
    expect(parseImageReference('docker-archive:a.tar')).toEqual({
      transport: 'docker-archive',
      file: 'a.tar',
    });
    expect(parseImageReference('docker-archive:a.tar:lamina/x:v1')).toEqual({
      transport: 'docker-archive',
      file: 'a.tar',
      ref: 'lamina/x:v1',
    });
  });

  it('reads registry references with tags, digests and ports', () => {
    expect(parseImageReference('123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1')).toEqual({
      transport: 'registry',
      registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
      repository: 'app',
      tag: 'v1',
    });
    expect(parseImageReference(`localhost:5000/a/b@${D}`)).toEqual({
      transport: 'registry',
      registry: 'localhost:5000',
      repository: 'a/b',
      digest: D,
    });
    expect(parseImageReference(`docker://ghcr.io/o/r:t@${D}`)).toMatchObject({
      tag: 't',
      digest: D,
    });
    expect(parseImageReference('docker.io/alpine')).toMatchObject({
      repository: 'library/alpine',
      tag: 'latest',
    });
  });

  it('refuses references it cannot read unambiguously', () => {
    expect(refCode('alpine:3')).toBe('BAD_REFERENCE'); // no host: no implied Docker Hub
    expect(refCode('ghcr.io/UPPER/x')).toBe('BAD_REFERENCE');
    expect(refCode('ghcr.io/x@sha256:abc')).toBe('BAD_REFERENCE');
    expect(refCode(`ghcr.io/x@sha512:${'a'.repeat(128)}`)).toBe('BAD_REFERENCE');
    expect(refCode('ghcr.io/x:bad tag')).toBe('BAD_REFERENCE');
    expect(refCode('oci:')).toBe('BAD_REFERENCE');
    expect(refCode('oci:dir:')).toBe('BAD_REFERENCE');
    expect(refCode('ghcr.io/x\u001b[31m')).toBe('BAD_REFERENCE');
  });

  it('round-trips through formatImageReference', () => {
    for (const t of [
      'oci:d:v1',
      `oci:d@${D}`,
      'docker-archive:f.tar:a:b',
      `r.example:1/a/b:t@${D}`,
    ]) {
      expect(formatImageReference(parseImageReference(t))).toBe(t);
    }
  });

  it('takes a bare directory holding oci-layout as a layout, not a registry reference', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lamina-ref-'));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const layout = join('registry.example.com', 'repo');
      await mkdir(layout, { recursive: true });
      // Without oci-layout the same text is a registry reference.
      expect(await classifyImageInput(layout)).toMatchObject({
        transport: 'registry',
        registry: 'registry.example.com',
      });
      await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      expect(await classifyImageInput(layout)).toEqual({ transport: 'oci', dir: layout });
    } finally {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
