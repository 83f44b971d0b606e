import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import { REPO_ROOT, runCli, spawnCli } from '../helpers/cli.js';
import { validateJson, validateXml } from '../../../src/sbom/testing/validate.js';

const LAYERS = join(REPO_ROOT, 'testdata', 'layers');
const fixtureDirs = readdirSync(LAYERS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const SAMPLE = join(LAYERS, 'sample-layer.zip');

describe('lamina sbom on every fixture', () => {
  const inputs = [...fixtureDirs.map((d) => join(LAYERS, d)), SAMPLE];
  it.each(inputs)('%s: JSON and XML, 1.6 and 1.5, validate', async (input) => {
    for (const spec of ['1.6', '1.5'] as const) {
      const json = await runCli(['sbom', input, '--spec-version', spec, '--quiet']);
      expect(json.code).toBe(0);
      expect(await validateJson(json.stdout, spec)).toBeNull();
      const bom = JSON.parse(json.stdout);
      expect(bom.components.length).toBeGreaterThan(0);
      const xml = await runCli([
        'sbom',
        input,
        '--format',
        'cyclonedx-xml',
        '--spec-version',
        spec,
        '--quiet',
      ]);
      expect(xml.code).toBe(0);
      expect(await validateXml(xml.stdout, spec)).toBeNull();
    }
  });

  it('is byte-identical across runs, for the zip and for JSON and XML', async () => {
    for (const format of ['cyclonedx-json', 'cyclonedx-xml']) {
      const a = await runCli(['sbom', SAMPLE, '--format', format, '--quiet']);
      const b = await runCli(['sbom', SAMPLE, '--format', format, '--quiet']);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }
  });

  it('finds packages of every ecosystem in the sample layer, with evidence at /opt', async () => {
    const r = await runCli(['sbom', SAMPLE, '--quiet']);
    const bom = JSON.parse(r.stdout);
    const types = new Set(
      bom.components.map((c: { purl?: string }) => (c.purl ?? 'file').split('/')[0])
    );
    for (const t of [
      'pkg:npm',
      'pkg:pypi',
      'pkg:maven',
      'pkg:gem',
      'pkg:golang',
      'pkg:cargo',
      'pkg:nuget',
      'file',
    ])
      expect(types).toContain(t);
    for (const c of bom.components)
      for (const o of c.evidence?.occurrences ?? []) expect(o.location).toMatch(/^\/opt\//);
    const digest = bom.metadata.component.hashes[0].content;
    const { createHash } = await import('node:crypto');
    expect(digest).toBe(createHash('sha256').update(readFileSync(SAMPLE)).digest('hex'));
  });
});

describe('the built CLI on hostile input', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lamina-cli-'));
  });

  const cases: [string, () => Buffer, string][] = [
    ['not a zip', () => Buffer.from('definitely not a zip file\n'), 'NOT_A_ZIP'],
    [
      'duplicate names',
      () =>
        writeZip([
          { name: 'a.txt', data: 'x' },
          { name: 'a.txt', data: 'y' },
        ]),
      'DUPLICATE_ENTRY',
    ],
    [
      'encrypted entry',
      () => writeZip([{ name: 'a.txt', data: 'x', encrypted: true }]),
      'ENCRYPTED_ENTRY',
    ],
    [
      'truncated',
      () => writeZip([{ name: 'a.txt', data: 'hello world' }], { truncate: 20 }),
      'TRUNCATED_ARCHIVE',
    ],
  ];
  it.each(cases)('%s: exit 2, one line naming the archive, no stack trace', (name, make, code) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.zip`);
    writeFileSync(file, make());
    const r = spawnCli(['sbom', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(code);
    expect(lines[0]).toContain(file.split('/').pop());
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--max-entries refuses a layer with more entries than allowed (exit 2)', () => {
    const file = join(dir, 'many.zip');
    writeFileSync(
      file,
      writeZip(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'x' })))
    );
    expect(spawnCli(['sbom', file, '--max-entries', '10']).stderr).toContain('TOO_MANY_ENTRIES');
    expect(spawnCli(['sbom', file, '--max-entries', '10']).code).toBe(2);
    expect(spawnCli(['sbom', file, '--quiet']).code).toBe(0);
  });

  it('path findings go to stderr and into the SBOM, which is still built', () => {
    const file = join(dir, 'odd.zip');
    writeFileSync(
      file,
      writeZip([
        { name: '/abs/escape.txt', data: 'x' },
        { name: 'bin/link', symlink: '../../../etc/passwd' },
        { name: 'README', data: 'a' },
        { name: 'readme', data: 'b' },
      ])
    );
    const r = spawnCli(['sbom', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('ABSOLUTE_PATH');
    expect(r.stderr).toContain('SYMLINK_OUTSIDE_LAYER');
    expect(r.stderr).toContain('CASE_COLLISION');
    const bom = JSON.parse(r.stdout);
    const findings = bom.metadata.component.properties
      .filter((p: { name: string }) => p.name === 'lamina:finding')
      .map((p: { value: string }) => p.value.split(' ')[0]);
    expect(findings).toEqual(
      expect.arrayContaining(['ABSOLUTE_PATH', 'SYMLINK_OUTSIDE_LAYER', 'CASE_COLLISION'])
    );
  });

  it('-o creates missing directories and prints a summary on stderr', () => {
    const out = join(dir, 'nested', 'deeper', 'sample.cdx.json');
    const r = spawnCli(['sbom', SAMPLE, '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/sample-layer\.zip: \d+ packages/);
    expect(JSON.parse(readFileSync(out, 'utf8')).bomFormat).toBe('CycloneDX');
  });

  it('usage errors exit 2; --help exits 0; unknown command exits 2', () => {
    expect(spawnCli(['sbom']).code).toBe(2);
    expect(spawnCli(['sbom', SAMPLE, '--format', 'spdx']).code).toBe(2);
    expect(spawnCli(['sbom', '--help']).code).toBe(0);
    expect(spawnCli(['--help']).code).toBe(0);
    expect(spawnCli(['frobnicate']).code).toBe(2);
    expect(spawnCli(['--version']).stdout.trim()).toBe(
      'lamina ' + JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version
    );
  });
});

describe('lamina sbom --timestamp', () => {
  it('takes an ISO 8601 date-time (UTC unless it gives an offset) and refuses anything else', async () => {
    const ok = await runCli(['sbom', SAMPLE, '--timestamp', '2026-12-01T10:15', '--quiet']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).metadata.timestamp).toBe('2026-12-01T10:15:00.000Z');
    // JavaScript's Date reads these as 1 May 2001 and 2 March 2026.
    for (const text of ['hello 5', '2026-02-30T00:00Z']) {
      const bad = await runCli(['sbom', SAMPLE, '--timestamp', text, '--quiet']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--timestamp: not an ISO 8601 date or date-time');
    }
  });
});
