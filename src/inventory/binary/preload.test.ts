import { describe, expect, it } from 'vitest';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import { inventoryGaps } from '../completeness.js';
import {
  configuredPaths,
  configuredProgram,
  preloadFromEnv,
  programNames,
  searchPath,
  splitPreloadList,
} from './preload.js';
import { LinkIndex } from '../../unpack/links.js';
import { MemorySource } from '../../unpack/memory.js';
import { inventoryImageEntries } from '../testing/image.js';
import { buildElf } from './testing/elf-builder.js';

const ET_DYN = 3;
/** A shared object under a name and mode that say nothing: glibc's loader preloads it anyway. */
const HIDDEN = buildElf({
  type: ET_DYN,
  sections: [{ name: '.text', data: Buffer.from('x') }],
}).buf;

async function inventory(
  extra: TarEntry[],
  loaded?: string[],
  exec?: { programs: string[]; searchPath: string[] }
) {
  return inventoryImageEntries(
    [
      { name: 'etc/', type: 'dir' },
      { name: 'usr/', type: 'dir' },
      { name: 'usr/share/', type: 'dir' },
      { name: 'usr/share/misc/', type: 'dir' },
      { name: 'usr/share/misc/magic.dat', data: HIDDEN, mode: 0o644 },
      ...extra,
    ],
    { ...(loaded ? { loaded } : {}), ...(exec ? { exec } : {}) }
  );
}

const unowned = (inv: Awaited<ReturnType<typeof inventory>>) =>
  inventoryGaps(inv)
    .filter((g) => g.code === 'UNOWNED_EXECUTABLE')
    .map((g) => g.path);

describe('what the loader preloads', () => {
  it('splits ld.so.preload and LD_PRELOAD as glibc does', () => {
    expect(splitPreloadList('/a.so  /b.so:/c.so\n# /d.so\nlibe.so # comment\n\t/f\n')).toEqual([
      '/a.so',
      '/b.so',
      '/c.so',
      'libe.so',
      '/f',
    ]);
    expect(preloadFromEnv(['PATH=/bin', 'LD_PRELOAD=/x.so:/y.so', 'LD_PRELOAD=z.so'])).toEqual([
      '/x.so',
      '/y.so',
      'z.so',
    ]);
    expect(preloadFromEnv(undefined)).toEqual([]);
  });

  it('LD_AUDIT names objects the loader loads into every process too', () => {
    expect(
      preloadFromEnv(['LD_AUDIT=/usr/share/misc/audit.dat:libaudit.so', 'LD_AUDITX=/no.so'])
    ).toEqual(['/usr/share/misc/audit.dat', 'libaudit.so']);
  });

  it('takes the paths an entry point and command name, relative ones from the working directory', () => {
    expect(
      configuredPaths({
        entrypoint: ['/lib64/ld-linux-x86-64.so.2', 'python3'],
        cmd: ['./app.bin', 'app.handler', '--x=1', '../up/x'],
        workingDir: '/var/task',
      })
    ).toEqual([
      '/lib64/ld-linux-x86-64.so.2',
      '/var/task/app.bin',
      '/var/up/x',
      '/var/task/../up/x',
    ]);
    expect(configuredPaths({ cmd: ['bin/run'] })).toEqual(['/bin/run']);
    // A command line in one argument: the shell splits it, so each word with a slash counts.
    expect(
      configuredPaths({
        entrypoint: ['/bin/sh', '-c'],
        cmd: ['exec /lib64/ld.so "misc/x.dat" --config=/etc/x A=/y; ./run|tee /tmp/log'],
        workingDir: '/usr/share',
      })
    ).toEqual([
      '/bin/sh',
      '/usr/share/exec /lib64/ld.so "misc/x.dat" --config=/etc/x A=/y; ./run|tee /tmp/log',
      '/lib64/ld.so',
      '/usr/share/misc/x.dat',
      '/usr/share/run',
      '/tmp/log',
    ]);
  });

  it('a path with .. after a link is read where the kernel walks it, from where the link leads', async () => {
    const layer: TarEntry[] = [
      { name: 'usr/share/doc/', type: 'dir' },
      { name: 'usr/share/doc/y/', type: 'dir' },
      { name: 'usr/share/doc/x', data: HIDDEN, mode: 0o644 },
      { name: 'var/', type: 'dir' },
      { name: 'var/task/', type: 'dir' },
      { name: 'var/task/lib', type: 'symlink', linkname: '/usr/share/doc/y' },
    ];
    const loaded = configuredPaths({
      entrypoint: ['/lib64/ld-linux-x86-64.so.2', 'lib/../x'],
      workingDir: '/var/task',
    });
    expect(unowned(await inventory(layer, loaded))).toContain('usr/share/doc/x');
  });

  it('the control: a data-looking file nothing loads is not read', async () => {
    expect(unowned(await inventory([]))).toEqual([]);
  });

  it.each([
    ['by absolute path', '/usr/share/misc/magic.dat\n'],
    ['through a symlinked directory', '/usr/share/m/magic.dat'],
    ['by bare name', 'magic.dat'],
    ['among others, colon-separated', '/nowhere.so:/usr/share/misc/magic.dat'],
  ])(
    'a shared object /etc/ld.so.preload names %s is an executable no package owns',
    async (_n, text) => {
      const inv = await inventory([
        { name: 'etc/ld.so.preload', data: text },
        { name: 'usr/share/m', type: 'symlink', linkname: 'misc' },
      ]);
      expect(unowned(inv)).toEqual(['usr/share/misc/magic.dat']);
      expect(inv.complete).toBe(false);
    }
  );

  it.each([
    ['a relative path (the working directory decides)', 'misc/magic.dat'],
    ['$LIB (the machine decides)', '/usr/share/$LIB/magic.dat'],
    ['${PLATFORM}', '/usr/share/${PLATFORM}/magic.dat'],
    ['$ORIGIN (the program decides)', '$ORIGIN/../share/misc/magic.dat'],
  ])('a preload name lamina cannot resolve, %s, is LIBRARY_NOT_RESOLVED', async (_n, name) => {
    for (const inv of [
      await inventory([{ name: 'etc/ld.so.preload', data: `${name}\n` }]),
      await inventory([], preloadFromEnv([`LD_PRELOAD=${name}`])),
    ]) {
      expect(inv.findings.map((f) => [f.code, f.severity])).toContainEqual([
        'LIBRARY_NOT_RESOLVED',
        'error',
      ]);
      expect(inv.complete).toBe(false);
    }
  });

  it.each([
    ['etc/ssl/openssl.cnf', []],
    ['etc/pki/tls/openssl.cnf', []],
    [
      'a file openssl.cnf includes',
      [{ name: 'etc/ssl/conf.d/', type: 'dir' as const }],
      'etc/ssl/conf.d/extra.cnf',
    ],
    [
      'a file in a directory openssl.cnf includes through a link',
      [
        { name: 'etc/ssl/real.d/', type: 'dir' as const },
        { name: 'etc/ssl/conf.d', type: 'symlink' as const, linkname: 'real.d' },
      ],
      'etc/ssl/real.d/extra.cnf',
    ],
  ])(
    "a shared object OpenSSL's configuration (%s) loads as a provider is read",
    async (where, extra, at = where) => {
      const provider = '[fonts_sect]\nmodule = /usr/share/misc/magic.dat\nactivate = 1\n';
      const files: TarEntry[] = [
        { name: 'etc/ssl/', type: 'dir' },
        { name: 'etc/pki/', type: 'dir' },
        { name: 'etc/pki/tls/', type: 'dir' },
        ...extra,
        at === where
          ? { name: where, data: provider }
          : { name: 'etc/ssl/openssl.cnf', data: '.include /etc/ssl/conf.d\n' },
        ...(at === where ? [] : [{ name: at, data: provider }]),
      ];
      expect(unowned(await inventory(files))).toEqual(['usr/share/misc/magic.dat']);
    }
  );

  it('an OpenSSL configuration lamina cannot follow (a variable, a relative include) is LIBRARY_NOT_RESOLVED', async () => {
    const inv = await inventory([
      { name: 'etc/ssl/', type: 'dir' },
      { name: 'etc/ssl/openssl.cnf', data: 'module = $ENV::X/p.so\n.include extra.cnf\n' },
    ]);
    expect(inv.findings.filter((f) => f.code === 'LIBRARY_NOT_RESOLVED')).toHaveLength(2);
    expect(inv.complete).toBe(false);
  });

  it('a file the entry point or command names is read too (ld.so runs it whatever its mode)', async () => {
    const loaded = configuredPaths({
      entrypoint: ['/lib64/ld-linux-x86-64.so.2'],
      cmd: ['misc/magic.dat'],
      workingDir: '/usr/share',
    });
    expect(unowned(await inventory([], loaded))).toEqual(['usr/share/misc/magic.dat']);
  });

  it.each(['LD_PRELOAD', 'LD_AUDIT'])("the image config's %s counts too", async (name) => {
    const loaded = preloadFromEnv([`${name}=/usr/share/misc/magic.dat`]);
    expect(unowned(await inventory([], loaded))).toEqual(['usr/share/misc/magic.dat']);
  });
});

describe('what the entry point execs', () => {
  it('its program: the first word of the entry point, else of the command, by path', () => {
    expect(configuredProgram({ entrypoint: ['/lambda-entrypoint.sh'], cmd: ['/x'] })).toBe(
      '/lambda-entrypoint.sh'
    );
    expect(configuredProgram({ cmd: ['./run.sh', 'a'], workingDir: '/var/task' })).toBe(
      '/var/task/run.sh'
    );
    expect(configuredProgram({ entrypoint: ['python3', '/var/task/app.py'] })).toBeUndefined();
    expect(configuredProgram({})).toBeUndefined();
  });

  it("where a bare name is found: the config's PATH, the container default and Lambda's", () => {
    const dirs = searchPath(['PATH=/srv/bin::rel', 'LANG=C'], '/var/task');
    expect(dirs.slice(0, 3)).toEqual(['/srv/bin', '/var/task', '/var/task/rel']);
    expect(dirs).toEqual(expect.arrayContaining(['/usr/local/bin', '/bin', '/var/lang/bin']));
    expect(searchPath(undefined)).toContain('/usr/sbin');
  });

  it('a script it execs, by path or on PATH, is read; one elsewhere is not', async () => {
    const script = (name: string): TarEntry => ({ name, data: '#!/bin/sh\nid\n', mode: 0o755 });
    const entries = [
      script('lambda-entrypoint.sh'),
      { name: 'srv/', type: 'dir' } as TarEntry,
      { name: 'srv/bin/', type: 'dir' } as TarEntry,
      script('srv/bin/python3'),
      script('usr/share/misc/helper.sh'),
    ];
    const exec = { programs: ['/lambda-entrypoint.sh'], searchPath: ['/srv/bin'] };
    expect(unowned(await inventory(entries, undefined, exec))).toEqual([
      'lambda-entrypoint.sh',
      'srv/bin/python3',
    ]);
    expect(unowned(await inventory(entries))).toEqual([]);
  });
});

describe('programNames', () => {
  const links = new LinkIndex(
    new MemorySource('t', {
      'usr/bin/python3.11': 'elf',
      'usr/bin/python3': { symlink: 'python3.11' },
      'usr/local/bin/py': { symlink: '/usr/bin/python3' },
      'opt/app/run': { symlink: '../../usr/bin/python3.11' },
      'usr/local/bin/gone': { symlink: '/usr/bin/nothing' },
      'opt/a=b/py': { symlink: '/usr/bin/python3' },
      'opt/app/up': { symlink: '/usr/share/y' },
      'usr/share/y/keep': '',
      'usr/share/py': { symlink: '/usr/bin/python3' },
    }),
    '/'
  );
  const names = programNames(links, ['/usr/local/bin', '/usr/bin'], '/opt/app');

  it('names what a bare name on the search path, or a path, leads to through every link', () => {
    expect(names('py')).toEqual(['python3.11']);
    expect(names('/usr/local/bin/py')).toEqual(['python3.11']);
    expect(names('run')).toEqual([]);
    // Relative to the working directory.
    expect(names('./run')).toEqual(['python3.11']);
    // The kernel takes `=` in a path as any other character.
    expect(names('/opt/a=b/py')).toEqual(['python3.11']);
    expect(names('../a=b/py')).toEqual(['python3.11']);
    // `..` after a link goes up from where it leads (/usr/share/y/.. is /usr/share).
    expect(names('up/../py')).toEqual(['python3.11']);
  });

  it('names nothing for options, assignments, or links that lead nowhere', () => {
    expect(names('-c')).toEqual([]);
    expect(names('PATH=/usr/bin')).toEqual([]);
    expect(names('gone')).toEqual([]);
  });
});
