/**
 * A program runs as what its bytes are, whatever it is called: a copy of /usr/bin/python3.11 at
 * /usr/local/bin/app, or a tar hard link naming it, started as `app -c CODE` runs CODE as
 * Python (and node's, ruby's, perl's, bash's and dash's copies run theirs: checked against this
 * machine's). lamina knows such a file by the programs whose bytes it has. A multi-call binary
 * (busybox) runs what its name says, so its bytes under other names are not its shell.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { parseElf } from '../../../src/inventory/binary/elf.js';
import { CC } from '../../../src/inventory/binary/testing/cc.js';
import { buildElf } from '../../../src/inventory/binary/testing/elf-builder.js';
import { inventoryGaps } from '../../../src/inventory/completeness.js';
import { inventoryImage } from '../../../src/pipeline/image.js';
import { dir, file, writeImageLayout } from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-program-copies-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BASE: TarEntry[] = [
  dir('bin'),
  dir('usr'),
  dir('usr/bin'),
  dir('usr/sbin'),
  dir('usr/local'),
  dir('usr/local/bin'),
];
/** Stand-in bytes of a program, all of one size: what counts is that the copy's are the same. */
const bytes = (name: string): Buffer =>
  buildElf({ type: 2, sections: [{ name: '.text', data: Buffer.from(name.padEnd(64)) }] }).buf;
const copy = (at: string, of: Buffer): TarEntry => file(at, of, 0o755);
const hardlink = (at: string, to: string): TarEntry => ({
  name: at,
  type: 'hardlink',
  linkname: to,
  mode: 0o755,
});

async function inventory(layer: TarEntry[], entrypoint: string[]) {
  const ref = writeImageLayout(tmp, [[...BASE, ...layer]], { Entrypoint: entrypoint });
  return (await inventoryImage(ref, {})).inventory;
}

async function loaders(layer: TarEntry[], entrypoint: string[]): Promise<string[]> {
  const inv = await inventory(layer, entrypoint);
  return inv.findings.filter((f) => f.code === 'ENV_LOADER').map((f) => f.path ?? '');
}

/**
 * The program, how it names its own executable (a PATH's `python3` may be a pyenv shim), where
 * an image has it, its inline-code option, and code printing RAN.
 */
const INTERPRETERS = [
  [
    'python3',
    ['-c', 'import sys; print(sys.executable)'],
    'usr/bin/python3.11',
    '-c',
    'print("RAN")',
  ],
  ['node', ['-p', 'process.execPath'], 'usr/bin/node', '-e', 'console.log("RAN")'],
  ['ruby', ['-rrbconfig', '-e', 'puts RbConfig.ruby'], 'usr/bin/ruby3.1', '-e', 'puts "RAN"'],
  ['perl', ['-e', 'print "$^X\\n"'], 'usr/bin/perl', '-e', 'print "RAN\\n"'],
  ['bash', ['-c', 'echo /bin/bash'], 'bin/bash', '-c', 'echo RAN'],
  ['dash', ['-c', 'echo /bin/dash'], 'bin/dash', '-c', 'echo RAN'],
] as const;

describe('a copy of an interpreter under another name', () => {
  it.each(INTERPRETERS)(
    '%s copied to app runs its inline code (here), and is reported',
    async (program, self, path, option, code) => {
      const real = realpathSync(spawnSync(program, self, { encoding: 'utf8' }).stdout.trim());
      const app = join(tmp, 'app');
      copyFileSync(real, app);
      const ran = spawnSync(app, [option, code], { encoding: 'utf8', timeout: 10_000 });
      expect(ran.stdout).toBe('RAN\n');
      rmSync(app);

      const of = bytes(path);
      const start = ['app', option, code];
      expect(await loaders([copy(path, of), copy('usr/local/bin/app', of)], start)).toEqual([
        `app ${option}`,
      ]);
      expect(await loaders([copy(path, of), hardlink('usr/local/bin/app', path)], start)).toEqual([
        `app ${option}`,
      ]);
    }
  );

  it("the file a copy runs as its script is read as the interpreter's would be", async () => {
    const of = bytes('usr/bin/python3.11');
    const doc = [dir('usr/share'), dir('usr/share/doc'), file('usr/share/doc/readme.txt', 'x\n')];
    const inv = await inventory(
      [copy('usr/bin/python3.11', of), copy('usr/local/bin/app', of), ...doc],
      ['app', '/usr/share/doc/readme.txt']
    );
    expect(inventoryGaps(inv).map((g) => [g.code, g.path])).toContainEqual([
      'UNOWNED_EXECUTABLE',
      'usr/share/doc/readme.txt',
    ]);
  });

  it('one the OS package database lists, its digest checked, leaves no gap to tell: still reported', async () => {
    const of = bytes('python3.11');
    const md5 = createHash('md5').update(of).digest('hex');
    const paths = ['usr/bin/python3.11', 'usr/local/bin/app'];
    const layer = [
      dir('var'),
      dir('var/lib'),
      dir('var/lib/dpkg'),
      dir('var/lib/dpkg/info'),
      file(
        'var/lib/dpkg/status',
        'Package: python3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\nArchitecture: amd64\n'
      ),
      file(
        'var/lib/dpkg/info/python3.11-minimal.list',
        ['/.', '/usr', '/usr/bin', '/usr/local', '/usr/local/bin', ...paths.map((p) => `/${p}`)]
          .map((l) => `${l}\n`)
          .join('')
      ),
      file(
        'var/lib/dpkg/info/python3.11-minimal.md5sums',
        paths.map((p) => `${md5}  ${p}\n`).join('')
      ),
      ...paths.map((p) => copy(p, of)),
    ];
    const inv = await inventory(layer, ['app', '-c', 'print(1)']);
    expect(inventoryGaps(inv).map((g) => `${g.code} ${g.path}`)).toEqual(['ENV_LOADER app -c']);
  });

  it('one named as another program (env, sed) is still Python, as python3 named so runs here', async () => {
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).stdout.trim();
    const env = join(tmp, 'env');
    copyFileSync(realpathSync(python), env);
    expect(spawnSync(env, ['-c', 'print("RAN")'], { encoding: 'utf8' }).stdout).toBe('RAN\n');
    rmSync(env);

    const of = bytes('python3.11');
    const layer = [copy('usr/bin/python3.11', of), copy('usr/local/bin/env', of)];
    expect(await loaders(layer, ['env', '-c', 'print(1)'])).toEqual(['env -c']);
    const sed = [
      copy('usr/bin/python3.11', of),
      hardlink('usr/local/bin/sed', 'usr/bin/python3.11'),
    ];
    // Read as sed too, whose first operand is its script.
    expect(await loaders(sed, ['sed', '-c', 'print(1)'])).toEqual(['sed -c', 'sed program']);
  });

  it('the control: other bytes of the same size are no interpreter', async () => {
    const layer = [
      copy('usr/bin/python3.11', bytes('python3.11')),
      copy('usr/local/bin/app', bytes('app')),
    ];
    expect(await loaders(layer, ['app', '-c', 'print(1)'])).toEqual([]);
  });

  it('a copy of the java launcher reads an @FILE of options as java does', async () => {
    const of = bytes('java');
    const layer = [copy('usr/bin/java', of), copy('usr/local/bin/j', of)];
    expect(await loaders(layer, ['j', '@/usr/share/doc/x/opts', 'Main'])).toEqual(['java @']);
  });
});

describe('a multi-call binary', () => {
  const BUSYBOX = bytes('BusyBox v1.35.0 multi-call binary.');
  const busybox = [
    copy('bin/busybox', BUSYBOX),
    hardlink('bin/sh', 'bin/busybox'),
    hardlink('usr/bin/awk', 'bin/busybox'),
    hardlink('usr/sbin/httpd', 'bin/busybox'),
  ];

  it('runs the program its name says: httpd -c CONF is no shell, nor is a copy named app', async () => {
    expect(await loaders(busybox, ['httpd', '-f', '-c', '/etc/httpd.conf'])).toEqual([]);
    const app = [...busybox, copy('usr/local/bin/app', BUSYBOX)];
    expect(await loaders(app, ['app', '-c', 'echo RAN'])).toEqual([]);
    // Its shell is still a shell.
    expect(await loaders(busybox, ['sh', '-c', 'echo RAN'])).toEqual(['sh -c']);
  });

  it('a name alone makes none: python3 copied to busybox and app is Python', async () => {
    const of = bytes('python3.11');
    const layer = [
      copy('usr/bin/python3.11', of),
      copy('bin/busybox', of),
      copy('usr/local/bin/app', of),
    ];
    expect(await loaders(layer, ['app', '-c', 'print(1)'])).toEqual(['app -c']);
  });
});

describe('a program embedding an interpreter', () => {
  it('runs its arguments as Python (six lines of C here); started with arguments, it is reported', async () => {
    const [include, libdir, version] = spawnSync(
      'python3',
      [
        '-c',
        'import sysconfig as s; print(*(s.get_config_var(v) for v in ("INCLUDEPY", "LIBDIR", "LDVERSION")))',
      ],
      { encoding: 'utf8' }
    )
      .stdout.trim()
      .split(' ');
    const src = join(tmp, 'embed.c');
    writeFileSync(
      src,
      '#include <Python.h>\nint main(int c, char **v) { return Py_BytesMain(c, v); }\n'
    );
    const app = join(tmp, 'embed');
    execFileSync(CC!, [
      '-o',
      app,
      src,
      `-I${include!}`,
      `-L${libdir!}`,
      `-lpython${version!}`,
      `-Wl,-rpath,${libdir!}`,
    ]);
    expect(spawnSync(app, ['-c', 'print("RAN")'], { encoding: 'utf8' }).stdout).toBe('RAN\n');
    const elf = readFileSync(app);
    const lib = parseElf(elf).dynamic?.needed.find((n) => n.startsWith('libpython'));
    expect(lib).toBeDefined();

    const layer = [copy('usr/local/bin/app', elf)];
    expect(await loaders(layer, ['app', '-c', 'print(1)'])).toEqual([`app embeds ${lib!}`]);
    // Wherever it starts: through env, or in a shell's command line.
    expect(await loaders(layer, ['env', 'app', '-c', 'print(1)'])).toEqual([`app embeds ${lib!}`]);
    expect(await loaders(layer, ['sh', '-c', 'app -c "print(1)"'])).toEqual([
      `app embeds ${lib!}`,
      'sh -c',
    ]);
    // Started with no arguments, it is handed nothing to run.
    expect(await loaders(layer, ['/usr/local/bin/app'])).toEqual([]);
    // Named as the interpreter it is (Fedora's python3.11 links libpython), its options are read.
    const named = [copy('usr/local/bin/python3.11', elf)];
    expect(await loaders(named, ['python3.11', '-c', 'print(1)'])).toEqual(['python3.11 -c']);
    // The control: a program linking no interpreter.
    expect(await loaders([copy('usr/local/bin/app', bytes('app'))], ['app', '-c', 'x'])).toEqual(
      []
    );
  });
});

describe("a copy of the base images' entry script", () => {
  // AWS's /lambda-entrypoint.sh, which reads no $0: dash runs a copy of it the same way.
  const SCRIPT =
    '#!/bin/sh\nif [ $# -ne 1 ]; then\n  echo "entrypoint requires the handler name to be the first argument" 1>&2\n  exit 142\nfi\nexport _HANDLER="$1"\n\nRUNTIME_ENTRYPOINT=/var/runtime/bootstrap\nif [ -z "${AWS_LAMBDA_RUNTIME_API}" ]; then\n  exec /usr/local/bin/aws-lambda-rie $RUNTIME_ENTRYPOINT\nelse\n  exec $RUNTIME_ENTRYPOINT\nfi\n';

  it('hands the runtime its argument as the Handler under any name: checked as the base entry point is', async () => {
    const start = join(tmp, 'start.sh');
    writeFileSync(
      start,
      SCRIPT.replace('RUNTIME_ENTRYPOINT=/var/runtime/bootstrap', 'RUNTIME_ENTRYPOINT=env'),
      { mode: 0o755 }
    );
    const ran = spawnSync('dash', [start, 'child_process.execSync'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_LAMBDA_RUNTIME_API: 'x' },
    });
    expect(ran.stdout).toContain('_HANDLER=child_process.execSync');

    const layer = [
      copy('lambda-entrypoint.sh', Buffer.from(SCRIPT)),
      copy('start.sh', Buffer.from(SCRIPT)),
    ];
    const handler = async (entrypoint: string) => {
      const ref = writeImageLayout(tmp, [[...BASE, ...layer]], {
        Entrypoint: [entrypoint],
        Cmd: ['child_process.execSync'],
      });
      const inv = (await inventoryImage(ref, {})).inventory;
      return inv.findings.filter((f) => f.code === 'ENV_LOADER').map((f) => f.path);
    };
    expect(await handler('/lambda-entrypoint.sh')).toEqual(['child_process.execSync']);
    expect(await handler('/start.sh')).toEqual(['child_process.execSync']);
  });
});
