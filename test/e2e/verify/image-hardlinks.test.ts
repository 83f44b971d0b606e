/**
 * `lamina sbom IMAGE` and `lamina verify IMAGE` on hardlinks that extractors make differently
 * (each case once let an ELF run unlisted):
 *
 * - a hardlink whose header mode is not its target's (`usr/local/bin/tool` at 0755 naming a
 *   0644 ELF): containerd and Python's tarfile chmod the shared file to the link's mode, GNU tar,
 *   bsdtar and umoci keep the target's. Refused, exit 2, AMBIGUOUS_HEADER;
 * - a hardlink to a lower layer's file that its own layer whites out: umoci links before the
 *   whiteout deletes the other name and keeps the ELF, the OCI rule (whiteouts first) leaves the
 *   link dangling. The link is kept and the inventory is incomplete (HARDLINK_TO_WHITED_OUT).
 *
 * Hardlinks as writers make them (both headers from one inode) are unaffected.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { buildElf } from '../../../src/inventory/binary/testing/elf-builder.js';
import { runCli } from '../helpers/cli.js';
import {
  dir,
  file,
  verifyImageRef,
  wh,
  writeImageLayout,
  writeInventoryPolicy,
} from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-hardlinks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ELF = buildElf({ type: 2, sections: [{ name: '.text', data: Buffer.from('a tool') }] }).buf;
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

const hardlink = (name: string, linkname: string, mode: number): TarEntry => ({
  name,
  type: 'hardlink',
  linkname,
  mode,
});

const BLOB = 'usr/share/misc/blob';
const TOOL = 'usr/local/bin/tool';
const DIRS = [
  dir('usr'),
  dir('usr/share'),
  dir('usr/share/misc'),
  dir('usr/local'),
  dir('usr/local/bin'),
];

/** Debian-like base whose one package, `tools`, installed BLOB (and TOOL, when `both`). */
function base(both: boolean): TarEntry[] {
  const paths = both ? [BLOB, TOOL] : [BLOB];
  return [
    dir('etc'),
    file('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
    dir('var'),
    dir('var/lib'),
    dir('var/lib/dpkg'),
    dir('var/lib/dpkg/info'),
    file(
      'var/lib/dpkg/status',
      'Package: tools\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n'
    ),
    file('var/lib/dpkg/info/tools.list', ['/.', ...paths.map((p) => `/${p}`)].join('\n') + '\n'),
    file('var/lib/dpkg/info/tools.md5sums', paths.map((p) => `${md5(ELF)}  ${p}\n`).join('')),
  ];
}

const POLICY = writeInventoryPolicy(tmp, 'images');
const layout = (layers: TarEntry[][]): string =>
  writeImageLayout(tmp, layers, { Entrypoint: ['/usr/local/bin/tool'] });
const cache = join(tmp, 'cache');
const sbom = (ref: string) =>
  runCli(['sbom', ref, '--cache-dir', cache, '--format', 'cyclonedx-json']);
const verify = (ref: string) => verifyImageRef(ref, POLICY, cache);

/** Names of the executables and libraries an SBOM lists (`file` components from the binary cataloger). */
function binariesOf(stdout: string): string[] {
  const bom = JSON.parse(stdout) as {
    components: { type: string; name: string; properties?: { name: string }[] }[];
  };
  return bom.components
    .filter((c) => c.type === 'file' && c.properties?.some((p) => p.name === 'lamina:binary:kind'))
    .map((c) => c.name)
    .sort();
}

describe("sbom and verify IMAGE: a hardlink whose mode is not its target's", () => {
  it('is refused: exit 2, AMBIGUOUS_HEADER, before any cataloger runs', async () => {
    const ref = layout([
      [...base(true), ...DIRS, file(BLOB, ELF, 0o644), hardlink(TOOL, BLOB, 0o755)],
    ]);
    const s = await sbom(ref);
    expect(s.code).toBe(2);
    expect(s.stdout).toBe('');
    expect(s.stderr).toMatch(/\[AMBIGUOUS_HEADER\]\n$/);
    expect(s.stderr).toContain(TOOL);
    const v = await verify(ref);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('AMBIGUOUS_HEADER');
  });

  it("over a lower layer's file too", async () => {
    const ref = layout([
      [...base(true), ...DIRS, file(BLOB, ELF, 0o644)],
      [dir('usr'), dir('usr/local'), dir('usr/local/bin'), hardlink(TOOL, BLOB, 0o755)],
    ]);
    const s = await sbom(ref);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/\[AMBIGUOUS_HEADER\]\n$/);
  });

  it.each([
    ['0644: data under both names', 0o644],
    ['0755: an executable its package owns under both names', 0o755],
  ])('the control: modes that agree (%s) pass', async (_name, mode) => {
    const ref = layout([
      [...base(true), ...DIRS, file(BLOB, ELF, mode), hardlink(TOOL, BLOB, mode)],
    ]);
    const s = await sbom(ref);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain('inventory complete');
    const v = await verify(ref);
    expect(v.code, v.stderr).toBe(0);
    expect(v.check('inventory:complete')?.outcome).toBe('pass');
  });
});

describe('sbom and verify IMAGE: a hardlink to a lower file its own layer whites out', () => {
  const lower = [...base(false), ...DIRS, file(BLOB, ELF, 0o755)];
  const top = (order: 'link first' | 'whiteout first'): TarEntry[] => {
    const link = hardlink(TOOL, BLOB, 0o755);
    const whiteout = wh('usr/share/misc/.wh.blob');
    return [
      dir('usr'),
      dir('usr/local'),
      dir('usr/local/bin'),
      dir('usr/share'),
      dir('usr/share/misc'),
      ...(order === 'link first' ? [link, whiteout] : [whiteout, link]),
    ];
  };

  it.each(['link first', 'whiteout first'] as const)(
    '(%s) lists the tool and fails inventory:complete',
    async (order) => {
      const ref = layout([lower, top(order)]);
      const s = await sbom(ref);
      expect(s.code, s.stderr).toBe(0);
      expect(s.stderr).toContain('inventory incomplete');
      expect(binariesOf(s.stdout)).toEqual(['tool']);
      const v = await verify(ref);
      expect(v.code).toBe(1);
      const complete = v.check('inventory:complete');
      expect(complete?.outcome).toBe('fail');
      expect(complete?.detail).toContain(`HARDLINK_TO_WHITED_OUT ${TOOL}`);
      // In-order extractors leave the ELF at a path no package lists.
      expect(complete?.detail).toContain(`UNOWNED_EXECUTABLE ${TOOL}`);
    }
  );

  it('the control: a hardlink to a file no layer has stays a dangling link, and passes', async () => {
    const ref = layout([
      lower,
      [
        dir('usr'),
        dir('usr/local'),
        dir('usr/local/bin'),
        hardlink(TOOL, 'usr/share/misc/none', 0o755),
      ],
    ]);
    const s = await sbom(ref);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain('inventory complete');
    expect(binariesOf(s.stdout)).toEqual(['blob']);
    const v = await verify(ref);
    expect(v.code, v.stderr).toBe(0);
  });
});
