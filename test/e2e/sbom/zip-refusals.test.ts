/**
 * `lamina sbom` on layers whose zip readers would disagree: exit 2 and the
 * refusal code on stderr, never an SBOM with a finding. A corrupt entry
 * refuses the layer whichever entry it is, a metadata file or not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip, type ZipEntry } from '../../../scripts/lib/zipwriter.mjs';
import { hiddenEntry } from '../../../src/unpack/testing/hostile-zips.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lamina-e2e-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = {
  name: 'nodejs/node_modules/left-pad/package.json',
  data: '{"name":"left-pad","version":"1.3.0"}',
};

/** An entry whose data inflates past its declared size (the CRC matches the declared part). */
function inflatesPast(name: string): ZipEntry {
  const data = Buffer.from('A'.repeat(100) + 'hidden'.repeat(50));
  return { name, data, size: 100, crc: crc32(data.subarray(0, 100)) };
}

const cases: [string, string, ZipEntry[]][] = [
  [
    'an entry no cataloger reads inflates past its size',
    'CORRUPT_ARCHIVE',
    [pkg, inflatesPast('data/blob.bin')],
  ],
  [
    'a package.json inflates past its size',
    'CORRUPT_ARCHIVE',
    [inflatesPast('nodejs/node_modules/left-pad/package.json')],
  ],
  [
    'a file with a directory mode',
    'AMBIGUOUS_ENTRY_KIND',
    [pkg, { name: 'python/evil.py', data: 'print(1)', externalAttr: (0o040755 << 16) >>> 0 }],
  ],
  ['a local entry hidden in a gap', 'UNLISTED_DATA', [{ ...pkg, gapAfter: hiddenEntry() }]],
  ['a backslash path', 'BACKSLASH_IN_NAME', [pkg, { name: 'python\\evil.pth', data: 'import os' }]],
  [
    'a control character in a name',
    'CONTROL_CHARACTER_IN_NAME',
    [pkg, { name: 'a\u001b[2Jb', data: 'x' }],
  ],
];

describe('lamina sbom refuses ambiguous layers', () => {
  it.each(cases)('%s → exit 2, %s', async (label, code, entries) => {
    const file = join(dir, `${label.replace(/\W+/g, '-')}.zip`);
    writeFileSync(file, writeZip(entries));
    const r = await runCli(['sbom', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(code);
    // One line naming the layer, with no raw control character from the archive.
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr.trim()).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
