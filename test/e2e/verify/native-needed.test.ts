/**
 * What a native extension makes the dynamic loader load: a Python distribution's extension
 * module (RECORD-listed, its hash right) needs `core.dat`, which it finds through its DT_RUNPATH
 * `$ORIGIN/../../share/blobs`: an ELF shared object of mode 0644 with a constructor, which no
 * name or mode rule picks. Layers built at test time with this machine's C compiler; python3's
 * ctypes loads the extension from the same tree to show the loader runs the payload.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import {
  CC,
  CORE_C,
  EXT_C,
  lyingDynamic,
  sharedObject,
} from '../../../src/inventory/binary/testing/cc.js';
import { runCli } from '../helpers/cli.js';

const MARKER = 'LAMINA-NEEDED: the constructor of core.dat ran';
const EXT = 'python/fastlib/_speedups.cpython-311-x86_64-linux-gnu.so';
const PAYLOAD = 'share/blobs/core.dat';

const b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64url');

/**
 * A layer tree and its zip: fastlib 1.0.0 installed in python/ (METADATA, RECORD of every file it
 * installs) with the extension EXT linked to core.dat, found through `runpath`; core.dat at
 * `payloadAt` (mode 0644), listed in RECORD when `owned` (as `RECORD`'s own relative path).
 */
function build(opts: {
  runpath: string;
  payloadAt: string;
  recordPayload?: boolean;
  /** Linked as a filter of core.dat (`-Wl,--auxiliary=` or `--filter=` the runpath's core.dat) instead. */
  filter?: 'auxiliary' | 'filter';
  /** The extension's PT_DYNAMIC p_offset pointed at a copy with DT_NEEDED retagged (lyingDynamic). */
  lie?: boolean;
}) {
  const root = mkdtempSync(join(tmpdir(), 'lamina-needed-'));
  const work = mkdtempSync(join(tmpdir(), 'lamina-needed-cc-'));
  const core = readFileSync(
    sharedObject(work, 'core.dat', CORE_C(MARKER), ['-Wl,-soname,core.dat'])
  );
  const built = readFileSync(
    opts.filter
      ? sharedObject(work, 'ext.so', 'int answer(void) { return 42; }\n', [
          `-Wl,--${opts.filter}=${opts.runpath}/core.dat`,
        ])
      : sharedObject(work, 'ext.so', EXT_C, [
          './core.dat',
          `-Wl,--enable-new-dtags,-rpath,${opts.runpath}`,
        ])
  );
  const ext = opts.lie ? lyingDynamic(built) : built;
  const files: Record<string, { data: Buffer; mode: number }> = {
    'python/fastlib/__init__.py': {
      data: Buffer.from('from ._speedups import answer\n'),
      mode: 0o644,
    },
    [EXT]: { data: ext, mode: 0o755 },
    [opts.payloadAt]: { data: core, mode: 0o644 },
  };
  const installed = Object.keys(files).filter(
    (p) => p.startsWith('python/') && (p !== opts.payloadAt || opts.recordPayload)
  );
  const metadata = Buffer.from('Metadata-Version: 2.1\nName: fastlib\nVersion: 1.0.0\n');
  files['python/fastlib-1.0.0.dist-info/METADATA'] = { data: metadata, mode: 0o644 };
  const record = [
    ...installed.map((p) => {
      const f = files[p]!;
      return `${p.slice('python/'.length)},sha256=${b64(f.data)},${f.data.length}`;
    }),
    `fastlib-1.0.0.dist-info/METADATA,sha256=${b64(metadata)},${metadata.length}`,
    'fastlib-1.0.0.dist-info/RECORD,,',
  ].join('\n');
  files['python/fastlib-1.0.0.dist-info/RECORD'] = {
    data: Buffer.from(`${record}\n`),
    mode: 0o644,
  };
  for (const [p, f] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), f.data);
    chmodSync(join(root, p), f.mode);
  }
  const zip = writeZip(
    Object.keys(files)
      .sort()
      .map((name) => ({ name, data: files[name]!.data, mode: files[name]!.mode }))
  );
  const zipPath = join(work, 'layer.zip');
  writeFileSync(zipPath, zip);
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const policy = join(work, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1\ndefault: deny\nlayers:\n  - match: { name: native-fastlib }\n    pins:\n      - sha256: '${sha256}'\n`
  );
  return { root, zipPath, policy };
}

/** Whether loading the extension from the tree runs core.dat's constructor (the loader's answer). */
function loaderRunsPayload(root: string): boolean {
  const r = spawnSync(
    'python3',
    ['-c', 'import ctypes, sys; ctypes.CDLL(sys.argv[1]).answer()', join(root, EXT)],
    { encoding: 'utf8' }
  );
  return r.stderr.includes(MARKER);
}

interface Component {
  name: string;
  properties?: { name: string; value: string }[];
}

async function sbom(zipPath: string) {
  const out = join(dirname(zipPath), 'sbom.json');
  const r = await runCli(['sbom', zipPath, '-o', `cyclonedx-json=${out}`]);
  expect(r.code).toBe(0);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as {
    components: Component[];
    compositions?: { aggregate: string }[];
  };
  const prop = (c: Component, n: string) => c.properties?.find((p) => p.name === n)?.value;
  const file = (path: string) =>
    doc.components.find((c) => prop(c, 'lamina:binary:kind') && c.name === path.split('/').pop());
  return { doc, r, prop, file };
}

const verify = (b: { zipPath: string; policy: string }) =>
  runCli([
    'verify',
    b.zipPath,
    '--policy',
    b.policy,
    '--layer-name',
    'native-fastlib',
    '--format',
    'json',
  ]);

const checks = (stdout: string) =>
  Object.fromEntries(
    (
      JSON.parse(stdout) as { verdicts: { checks: { id: string; outcome: string }[] }[] }
    ).verdicts[0]!.checks.map((c) => [c.id, c.outcome])
  );

describe.skipIf(!CC)('a library an owned extension loads through DT_RUNPATH $ORIGIN', () => {
  it('a 0644 ELF named core.dat: the loader runs it, lamina lists it unowned and verify fails', async () => {
    const b = build({ runpath: '$ORIGIN/../../share/blobs', payloadAt: PAYLOAD });
    expect(loaderRunsPayload(b.root)).toBe(true);

    const { doc, r, prop, file } = await sbom(b.zipPath);
    const payload = file(PAYLOAD);
    expect(payload).toBeDefined();
    expect(prop(payload!, 'lamina:unowned')).toBe('true');
    expect(prop(payload!, 'lamina:binary:kind')).toBe('shared-library');
    expect(prop(payload!, 'lamina:elf:needed-by')).toBe(EXT);
    // The extension itself is owned by fastlib and its RECORD hash is right.
    expect(prop(file(EXT)!, 'lamina:owned-by')).toBeDefined();
    expect(r.stderr).not.toContain('RECORD_HASH_MISMATCH');
    expect(JSON.stringify(doc.compositions)).toContain('incomplete');

    const v = await verify(b);
    expect(v.code).toBe(1);
    expect(checks(v.stdout)).toMatchObject({ digest: 'pass', 'inventory:complete': 'fail' });
    expect(v.stdout).toContain(PAYLOAD);
  });

  it('in a hardware-capability subdirectory of the DT_RUNPATH directory (glibc-hwcaps/x86-64-v2): the loader runs it there too, lamina lists it', async () => {
    const at = 'share/blobs/glibc-hwcaps/x86-64-v2/core.dat';
    const b = build({ runpath: '$ORIGIN/../../share/blobs', payloadAt: at });
    // Where this machine's loader searches x86-64-v2 (glibc 2.33 and later on such a CPU).
    const v2 = spawnSync('/lib64/ld-linux-x86-64.so.2', ['--help'], { encoding: 'utf8' });
    if (/x86-64-v2 \(supported, searched\)/.test(v2.stdout ?? ''))
      expect(loaderRunsPayload(b.root)).toBe(true);
    const { prop, file } = await sbom(b.zipPath);
    expect(prop(file(at)!, 'lamina:unowned')).toBe('true');
    const v = await verify(b);
    expect(v.code).toBe(1);
    expect(checks(v.stdout)).toMatchObject({ 'inventory:complete': 'fail' });
  });

  for (const filter of ['auxiliary', 'filter'] as const)
    it(`a filtee (-Wl,--${filter}=$ORIGIN/../../share/blobs/core.dat, DT_${filter.toUpperCase()}): the loader runs it, lamina lists it and verify fails`, async () => {
      const b = build({ runpath: '$ORIGIN/../../share/blobs', payloadAt: PAYLOAD, filter });
      expect(loaderRunsPayload(b.root)).toBe(true);
      const { prop, file } = await sbom(b.zipPath);
      const payload = file(PAYLOAD);
      expect(payload).toBeDefined();
      expect(prop(payload!, 'lamina:unowned')).toBe('true');
      expect(prop(payload!, 'lamina:elf:needed-by')).toBe(EXT);
      const v = await verify(b);
      expect(v.code).toBe(1);
      expect(checks(v.stdout)).toMatchObject({ digest: 'pass', 'inventory:complete': 'fail' });
      expect(v.stdout).toContain(PAYLOAD);
    });

  it('its PT_DYNAMIC p_offset pointed at a copy hiding DT_NEEDED: the loader reads p_vaddr and runs core.dat; lamina lists it and verify fails', async () => {
    const b = build({ runpath: '$ORIGIN/../../share/blobs', payloadAt: PAYLOAD, lie: true });
    expect(loaderRunsPayload(b.root)).toBe(true);
    const { prop, file } = await sbom(b.zipPath);
    expect(prop(file(PAYLOAD)!, 'lamina:elf:needed-by')).toBe(EXT);
    const v = await verify(b);
    expect(v.code).toBe(1);
    expect(checks(v.stdout)).toMatchObject({ 'inventory:complete': 'fail' });
    expect(v.stdout).toContain('LIBRARY_NOT_RESOLVED');
    expect(v.stdout).toContain(PAYLOAD);
  });

  it('the library inside the package, RECORD-listed: owned, and verify passes', async () => {
    const b = build({
      runpath: '$ORIGIN/.libs',
      payloadAt: 'python/fastlib/.libs/core.dat',
      recordPayload: true,
    });
    expect(loaderRunsPayload(b.root)).toBe(true);
    const { prop, file } = await sbom(b.zipPath);
    const lib = file('python/fastlib/.libs/core.dat');
    expect(lib).toBeDefined();
    expect(prop(lib!, 'lamina:owned-by')).toBeDefined();
    const v = await verify(b);
    expect(v.code).toBe(0);
    expect(checks(v.stdout)).toMatchObject({ digest: 'pass', 'inventory:complete': 'pass' });
  });

  it('a DT_RUNPATH outside the layer: the file in the layer is not loaded, nor listed', async () => {
    const b = build({ runpath: '/usr/local/lib/blobs', payloadAt: PAYLOAD });
    expect(loaderRunsPayload(b.root)).toBe(false);
    const { file } = await sbom(b.zipPath);
    expect(file(PAYLOAD)).toBeUndefined();
    const v = await verify(b);
    expect(v.code).toBe(0);
    expect(checks(v.stdout)).toMatchObject({ 'inventory:complete': 'pass' });
  });
});
