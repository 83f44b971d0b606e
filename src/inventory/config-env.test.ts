import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configArgFindings, configEnvFindings, interpreterScripts } from './config-env.js';

/**
 * What a real program prints running `argv` with nothing on stdin, as a function starts, and
 * the options given (a working directory, an environment).
 */
const stdoutOf = (argv: readonly string[], options: SpawnSyncOptions = {}): string =>
  spawnSync(argv[0]!, argv.slice(1), { input: '', timeout: 120_000, ...options, encoding: 'utf8' })
    .stdout ?? '';

/**
 * A copy of this machine's libm named `name` in `dir`: a shared object no check reads, whose
 * loading the loader's LD_DEBUG=files shows (`file=NAME`), with no compiler needed.
 */
const oddLibrary = (dir: string, name: string): string => {
  const libc = /(\/\S*\/libc\.so\.6)/.exec(
    spawnSync('ldd', ['/bin/true'], { encoding: 'utf8' }).stdout
  )![1]!;
  const path = join(dir, name);
  copyFileSync(join(dirname(libc), 'libm.so.6'), path);
  return path;
};

/** A shell-like program run with `home` as its only HOME and PATH as this process's. */
const inHome = (home: string, extra: Record<string, string> = {}): SpawnSyncOptions => ({
  env: { PATH: process.env.PATH, HOME: home, ...extra },
});

describe('configEnvFindings', () => {
  it('reports each variable that loads code the catalogers do not read, by name', () => {
    const found = configEnvFindings([
      'PATH=/usr/bin:/bin',
      'LD_LIBRARY_PATH=/opt/lib',
      'LD_PRELOAD=/x.so',
      'LD_AUDIT=/y.so',
      'LAMBDA_TASK_ROOT=/var/task',
      'NODE_OPTIONS=--require /usr/share/doc/x.js',
      'LD_BIND_NOW=1',
      'RUBYOPT=-r/tmp/x',
      'node_options=lowercase is another variable',
      'PYTHONPATH',
      '=odd',
    ]);
    expect(found.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['ENV_LOADER', 'error', 'NODE_OPTIONS'],
      ['ENV_LOADER', 'error', 'LD_BIND_NOW'],
      ['ENV_LOADER', 'error', 'RUBYOPT'],
    ]);
    expect(found[0]!.message).toContain('"--require /usr/share/doc/x.js"');
  });

  it('reports a variable set twice twice (which one the runtime reads is not ours to guess)', () => {
    const found = configEnvFindings(['NODE_PATH=/a', 'NODE_PATH=/b']);
    expect(found.filter((f) => f.code === 'ENV_LOADER').map((f) => f.message)).toEqual([
      expect.stringContaining('"/a"'),
      expect.stringContaining('"/b"'),
    ]);
  });

  it('reports any variable set twice to different values as AMBIGUOUS_METADATA, once', () => {
    const found = configEnvFindings([
      'LAMBDA_TASK_ROOT=/var/task',
      'LANG=C.UTF-8',
      'LAMBDA_TASK_ROOT=/srv/code',
      'LANG=C.UTF-8',
      'LAMBDA_TASK_ROOT=/x',
    ]);
    expect(found.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['AMBIGUOUS_METADATA', 'error', 'LAMBDA_TASK_ROOT'],
    ]);
    expect(found[0]!.message).toContain('"/var/task", then "/srv/code"');
  });

  it('reports what moves where code is looked for or runs it by other means', () => {
    const found = configEnvFindings([
      'HOME=/usr/share/doc/x',
      'BASH_FUNC_dirname%%=() { . /usr/share/doc/x/p.sh; }',
      'SHELLOPTS=xtrace',
      'PS4=$(. /usr/share/doc/x/p.sh)+ ',
      'PERLLIB=/usr/share/doc/x',
    ]);
    expect(found.map((f) => f.path)).toEqual([
      'HOME',
      'BASH_FUNC_dirname%%',
      'SHELLOPTS',
      'PS4',
      'PERLLIB',
    ]);
  });

  it('reports nothing for no environment', () => {
    expect(configEnvFindings(undefined)).toEqual([]);
  });
});

describe('configArgFindings', () => {
  it('reports loader variables an entry point sets and flags that load a file', () => {
    const found = configArgFindings({
      entrypoint: [
        '/usr/bin/env',
        'LD_PRELOAD=/usr/share/misc/fonts.dat',
        'NODE_OPTIONS=--require /usr/share/doc/x/readme.js',
        'PATH=/usr/bin',
        '/lambda-entrypoint.sh',
      ],
      cmd: ['sh', '-c', 'export PYTHONPATH=/x; exec node --import /y.mjs app.js'],
    });
    expect(found.map((f) => [f.code, f.path])).toEqual([
      ['ENV_LOADER', 'sh -c'],
      ['ENV_LOADER', '--import'],
      ['ENV_LOADER', 'LD_PRELOAD'],
      ['ENV_LOADER', 'NODE_OPTIONS'],
      ['ENV_LOADER', 'PYTHONPATH'],
    ]);
    expect(
      configArgFindings({ entrypoint: ['java', '-javaagent:/x.jar', '-jar', 'app.jar'] })
    ).toHaveLength(1);
  });

  it("reports Node's and Ruby's -r, and no other program's", () => {
    for (const entrypoint of [
      ['node', '-r', '/usr/share/doc/x/readme.js', 'app.js'],
      ['/var/lang/bin/node', '-r', '/x.js'],
      ['sh', '-c', 'exec node -r /x.js /var/runtime/index.mjs'],
      ['ruby', '-r', '/x.rb', 'app.rb'],
    ])
      expect(
        configArgFindings({ entrypoint })
          .map((f) => f.path)
          .filter((p) => p !== 'sh -c')
      ).toEqual(['-r']);
    expect(configArgFindings({ entrypoint: ['/usr/bin/app', '-r', '5'] })).toEqual([]);
  });

  it("reports nothing for AWS base images' entry points and ordinary options", () => {
    expect(
      configArgFindings({
        entrypoint: ['/lambda-entrypoint.sh'],
        cmd: ['index.handler', '--max-old-space-size=512', 'com.example.Handler::handleRequest'],
      })
    ).toEqual([]);
    expect(
      configArgFindings({ entrypoint: ['/usr/local/bin/python', '-m', 'awslambdaric'] })
    ).toEqual([]);
  });
});

describe('configArgFindings: a java argument file', () => {
  it('java @FILE is ENV_LOADER: the launcher reads -javaagent: and the rest from it', () => {
    const found = configArgFindings({
      entrypoint: ['/usr/bin/java', '@/usr/share/doc/x/opts', '-cp', '/var/task', 'Main'],
    });
    expect(found.map((f) => [f.code, f.path])).toEqual([['ENV_LOADER', 'java @']]);
    expect(found[0]!.message).toContain('@/usr/share/doc/x/opts');
  });

  it('a link to java reads it too (java 17 here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-java-link-'));
    try {
      const java = spawnSync('java', ['-XshowSettings:properties', '-version'], {
        encoding: 'utf8',
      }).stderr.match(/java\.home = (.+)/)?.[1];
      symlinkSync(join(java!, 'bin', 'java'), join(dir, 'j'));
      writeFileSync(join(dir, 'opts'), '-Dlamina.marker=RAN\n');
      const argv = [
        join(dir, 'j'),
        `@${join(dir, 'opts')}`,
        '-XshowSettings:properties',
        '-version',
      ];
      expect(spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stderr).toContain(
        'lamina.marker = RAN'
      );
      const names = (word: string): string[] => (word === argv[0] ? ['java'] : []);
      expect(
        configArgFindings({ entrypoint: argv }, undefined, { names }).map((f) => f.path)
      ).toEqual(['java @']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an @ word for another program, or an escaped @@, is not', () => {
    expect(configArgFindings({ cmd: ['/usr/bin/notify', '@team'] })).toEqual([]);
    expect(configArgFindings({ cmd: ['java', '-cp', '/var/task', 'Main', '@@x'] })).toEqual([]);
  });
});

describe('configArgFindings: inline code', () => {
  it.each([
    [['python3', '-c', "import os; os.system('curl x | sh')"], 'python3 -c'],
    [['/var/lang/bin/python3.12', '-X', 'importtime', '-Sc', 'exec(1)'], 'python3.12 -Sc'],
    [['node', '-e', "require('child_process')"], 'node -e'],
    [['/usr/bin/env', 'node', '--eval=process.exit()'], 'node --eval='],
    [['node', '-r', '/x.js', '-p', '1'], 'node -p'],
    [['sh', '-c', 'exec ruby -e "system(1)"'], 'ruby -e'],
    [['perl', '-lne', 'print'], 'perl -lne'],
    [['python3', '--check-hash-based-pycs', 'never', '-c', 'exec(1)'], 'python3 -c'],
    // A shell's string is a script no package owns; quoting hides what it runs.
    [['/bin/sh', '-c', 'python app.py'], 'sh -c'],
    [['/bin/bash', '-o', 'pipefail', '-ec', 'exec ld.so /usr/share/mi""sc/x'], 'bash -ec'],
    [['busybox', 'sh', '-c', 'x'], 'sh -c'],
  ])('reports %j as %s', (entrypoint, path) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toContain(path);
  });

  it("reports nothing for a script's own -c or -e, or -m", () => {
    for (const entrypoint of [
      ['python3', 'app.py', '-c', 'config.yaml'],
      ['/bin/sh', '/lambda-entrypoint.sh', '-c'],
      ['python3', '-m', 'awslambdaric', '-c'],
      ['node', '/var/runtime/index.mjs', '-e', 'x'],
      ['/usr/bin/app', '-e', 'x'],
    ])
      expect(configArgFindings({ entrypoint })).toEqual([]);
  });

  it("reports nothing for a program's name among a script's own words; before the script it runs", () => {
    for (const [entrypoint, cmd] of [
      [['/usr/bin/python3', '/var/task/app.py'], ['make']],
      [['node', '/var/task/cli.js', 'npm', 'start'], []],
      [['sh', '/var/task/run.sh', 'sh', '-c', 'x'], []],
      [['ruby', 'app.rb', 'bundle', 'exec', 'x'], []],
    ])
      expect(configArgFindings({ entrypoint, cmd })).toEqual([]);
    expect(configArgFindings({ entrypoint: ['nohup', 'make'] }).map((f) => f.path)).toEqual([
      'make',
    ]);
    expect(
      configArgFindings({ entrypoint: ['python3', '-X', 'dev', 'make'] }).map((f) => f.path)
    ).toEqual(['make']);
  });
});

describe('configArgFindings: options read as the program reads them', () => {
  it.each([
    // Python takes -c's code attached to it, after other options in the same word too.
    [['python3', '-cimport os'], 'python3 -c'],
    [['python3', '-Scimport os'], 'python3 -Sc'],
    // -X pycache_prefix= moves where bytecode is read from, as PYTHONPYCACHEPREFIX does.
    [['python3', '-X', 'pycache_prefix=/usr/share/x', 'app.py'], '-X pycache_prefix'],
    [['python3', '-Xpycache_prefix=/usr/share/x', 'app.py'], '-X pycache_prefix'],
    [['ruby', '-r/usr/share/x.rb', 'app.rb'], '-r'],
    [['ruby', '-I/usr/share/x', 'app.rb'], '-I'],
    [['ruby', '-eputs 1'], 'ruby -e'],
    [['perl', '-I/usr/share/x', 'app.pl'], '-I'],
    [['perl', '-MEvil', 'app.pl'], '-M'],
    [['perl', '-eprint 1'], 'perl -e'],
    [['node', '--env-file=/usr/share/x.env', 'app.js'], '--env-file'],
    // Node 24: a package.json script through a shell, a global setup module, a package map.
    [['node', '--run', 'start'], 'node --run'],
    [['node', '--test', '--test-global-setup=/usr/share/x.mjs'], '--test-global-setup'],
    [
      ['node', '--experimental-package-map', '/usr/share/x.json', 'app.js'],
      '--experimental-package-map',
    ],
    [['node', '--test-random-seed', '1', '-e', 'x'], 'node -e'],
    // A loading flag with no value: the next word is not its.
    [['node', '--experimental-default-config-file', '-e', 'x'], 'node -e'],
    // awk's and sed's first operand is their program (GNU sed's `e` runs a shell command).
    [['awk', 'BEGIN{system("/usr/share/x")}'], 'awk program'],
    [['/usr/bin/mawk', '-F:', '-v', 'x=1', 'BEGIN{}'], 'mawk program'],
    [['gawk', '-e', 'BEGIN{}'], 'gawk -e'],
    [['sed', '-n', '1e /usr/share/x', '/etc/hostname'], 'sed program'],
    [['sed', '/etc/hostname', '--expression=1e x'], 'sed --expression='],
    [['php', '-r', 'system("x");'], 'php -r'],
    [['lua', '-e', 'os.execute("x")'], 'lua -e'],
    [['pwsh', '-Command', 'x'], 'pwsh -Command'],
    [['su', 'nobody', '-c', 'x'], 'su -c'],
    [['flock', '/tmp/l', '-c', 'x'], 'flock -c'],
    [['vim', '+!x', '/etc/hostname'], 'vim +!x'],
    [['gdb', '-ex', 'shell x'], 'gdb -ex'],
    // Abbreviated long options, as util-linux's script and gdb 13 (one dash too) run them.
    [['script', '-q', '/dev/null', '--comm', 'x'], 'script --comm'],
    [['gdb', '-nx', '-batch', '-ev', 'shell x'], 'gdb -ev'],
    [['gdb', '-nx', '-batch', '--eval-c=shell x'], 'gdb --eval-c='],
    [['gdb', '-nx', '-batch', '-eval-command', 'shell x'], 'gdb -eval-command'],
    [['rbash', '-c', 'x'], 'rbash -c'],
    // guile 3.0 runs -c's Scheme, loads -l's file and -L's modules (checked by hand: its
    // libraries are too large a test dependency).
    [['guile', '-c', '(system "x")'], 'guile -c'],
    [['/usr/bin/guile-3.0', '-l', '/usr/share/doc/x.scm', 'app.scm'], '-l'],
    [['guile', '-L', '/usr/share/doc/x', '-s', 'app.scm'], '-L'],
  ])('reports %j as %s', (entrypoint, path) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toContain(path);
  });

  it.each([
    // A class directory's loose classes, and a file of any name, which the JVM opens as a jar.
    [['java', '-cp', '/usr/share/doc/x', 'Evil'], '-cp /usr/share/doc/x'],
    [
      ['java', '-cp', '/var/task:/usr/share/doc/x/readme.dat', 'Main'],
      '-cp /usr/share/doc/x/readme.dat',
    ],
    [['java', '--class-path=/srv/classes', 'Main'], '--class-path /srv/classes'],
    [['java', '-XX:VMOptionsFile=/usr/share/doc/x/opts', 'Main'], '-XX:VMOptionsFile'],
    [['java', '-XX:SharedArchiveFile=/usr/share/x.jsa', 'Main'], '-XX:SharedArchiveFile'],
    [['java', '--patch-module', 'java.base=/usr/share/x', 'Main'], '--patch-module'],
    [['java', '-XX:OnOutOfMemoryError=sh /usr/share/x', 'Main'], 'java -XX:OnOutOfMemoryError='],
  ])('reports java %j as %s', (entrypoint, path) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toContain(path);
  });

  it('java -Xrun loads an agent library as -agentlib: does (java 17 here)', () => {
    const argv = ['java', '-Xrunjdwp:transport=dt_socket,server=y,suspend=n,address=localhost:0'];
    const ran = spawnSync(argv[0]!, [...argv.slice(1), '-version'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(ran.stdout).toContain('Listening for transport dt_socket');
    expect(
      configArgFindings({ entrypoint: [...argv, '-jar', '/var/task/app.jar'] }).map((f) => f.path)
    ).toEqual(['-Xrun']);
  });

  it("reports nothing for java's jars and the function's own classes", () => {
    const view = { taskRoot: '/var/task', workingDir: '/var/task' };
    for (const entrypoint of [
      ['java', '-cp', '/var/task:/var/task/lib/*:/opt/java/lib/x.jar:/opt/A.JAR', 'Main'],
      ['/usr/bin/java', '-cp', './*', 'com.amazonaws.services.lambda.runtime.api.client.AWSLambda'],
      ['java', '-cp', '.:lib/*', 'Main'],
      ['java', '-Xshare:off', '-jar', '/opt/app.jar', '-cp', '/usr/share/x'],
      ['java', '-jar', 'lib/app.dat', '-Djava.class.path=/usr/share/x'],
      ['java', '-m', 'app/app.Main', '-cp', '/usr/share/x'],
    ])
      expect(configArgFindings({ entrypoint }, undefined, view)).toEqual([]);
    // The working directory is not the function's: its classes are not the function's either.
    expect(
      configArgFindings({ entrypoint: ['java', '-cp', '.', 'Main'] }, undefined, {
        taskRoot: '/var/task',
        workingDir: '/srv',
      }).map((f) => f.path)
    ).toEqual(['-cp .']);
  });

  it('reports nothing where the word is a file of the program, or the script’s argument', () => {
    for (const entrypoint of [
      ['sed', '-n', '/etc/hostname', '-f', '/var/task/x.sed'],
      ['awk', '-f', '/var/task/x.awk', 'input'],
      ['sed', '-f', '/var/task/x.sed', 'input'],
      ['awk', '--file', '/var/task/x.awk', 'input'],
      ['perl', 'app.pl', '-eprint 1'],
      ['python3', '-X', 'importtime', 'app.py'],
      ['python3', '-W', 'ignore', '-m', 'awslambdaric', 'app.handler'],
    ])
      expect(configArgFindings({ entrypoint })).toEqual([]);
    expect(
      configArgFindings({ entrypoint: ['sed', '-n', '/etc/hostname', '-e', '1e x'] }).map(
        (f) => f.path
      )
    ).toEqual(['sed -e']);
  });

  it('takes the word after a long option it does not know as a value and as an operand', () => {
    // Node.js and Ruby add options with values from version to version.
    expect(
      configArgFindings({ entrypoint: ['node', '--a-future-option', 'v', '-e', 'x'] }).map(
        (f) => f.path
      )
    ).toEqual(['node -e']);
    expect(configArgFindings({ entrypoint: ['awk', '--posix', 'BEGIN{}'] })).toEqual([
      expect.objectContaining({ path: 'awk program' }),
    ]);
  });

  it("knows a program by the names the image's links give it", () => {
    const names = (word: string): string[] => (word === 'py' ? ['python3.11'] : []);
    expect(configArgFindings({ entrypoint: ['py', '-c', 'x'] }, undefined, { names })).toEqual([
      expect.objectContaining({ code: 'ENV_LOADER', path: 'py -c' }),
    ]);
    expect(configArgFindings({ entrypoint: ['py', '-c', 'x'] })).toEqual([]);
  });

  it('reads a word named as one program but leading to another as both (env -> python3.11 runs Python here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-env-link-'));
    try {
      const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
        encoding: 'utf8',
      }).stdout.trim();
      symlinkSync(realpathSync(python), join(dir, 'env'));
      const ran = spawnSync(join(dir, 'env'), ['-c', 'print("RAN")'], { encoding: 'utf8' });
      expect(ran.stdout).toBe('RAN\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const other: Record<string, string[]> = {
      env: ['python3.11'],
      '/usr/local/bin/sed': ['node'],
      sh: ['dash'],
    };
    const names = (word: string): string[] => other[word] ?? [];
    const paths = (entrypoint: string[]): (string | undefined)[] =>
      configArgFindings({ entrypoint }, undefined, { names }).map((f) => f.path);
    expect(paths(['env', '-c', 'x'])).toEqual(['env -c']);
    // As sed, x is its script; as node, -p prints what x evaluates to.
    expect(paths(['/usr/local/bin/sed', '-p', 'x'])).toEqual(['sed program', 'sed -p']);
    // Read as env too: -S splits its string into a command line.
    expect(paths(['env', '-S', 'x'])).toEqual(['env -S']);
    // Both names a shell's: one reading, one finding.
    expect(paths(['sh', '-c', 'x'])).toEqual(['sh -c']);
    expect(paths(['sh', '-e', 'x'])).toEqual([]);
  });
});

describe('configArgFindings: a command npx fetches', () => {
  const files = new Set(['/var/task/node_modules/.bin/aws-lambda-ric', '/usr/local/bin/tsc']);
  const view = {
    workingDir: '/var/task/src',
    searchPath: ['/usr/local/bin'],
    realPath: (p: string) => (files.has(p) ? p : undefined),
  };
  const fetched = (entrypoint: string[]) =>
    configArgFindings({ entrypoint, cmd: ['index.handler'] }, undefined, view).map((f) => f.path);

  it('one in node_modules/.bin of the working directory or above, or on PATH, is not fetched', () => {
    expect(fetched(['/usr/local/bin/npx', 'aws-lambda-ric'])).toEqual([]);
    expect(fetched(['npx', '--yes', 'tsc'])).toEqual([]);
    expect(fetched(['npx', './bin/run.js'])).toEqual([]);
  });

  it('one the image does not hold, or npx cannot match to it, is ENV_LOADER', () => {
    expect(fetched(['npx', 'aws-lambda-ric-fork'])).toEqual(['npx aws-lambda-ric-fork']);
    expect(fetched(['npx', 'aws-lambda-ric@3'])).toEqual(['npx aws-lambda-ric@3']);
    expect(fetched(['npx', '-p', 'other', 'aws-lambda-ric'])).toEqual(['npx aws-lambda-ric']);
    expect(fetched(['npx', 'user/repo'])).toEqual(['npx user/repo']);
    // Where the image cannot be looked at, nothing is guessed.
    expect(configArgFindings({ entrypoint: ['npx', 'x'] })).toEqual([]);
  });

  it('npx runs a bin of the project offline, and goes to the registry for another (npm here)', () => {
    const project = mkdtempSync(join(tmpdir(), 'lamina-npx-'));
    try {
      mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
      writeFileSync(join(project, 'package.json'), '{}');
      writeFileSync(join(project, 'node_modules', '.bin', 'tool'), '#!/bin/sh\necho RAN\n', {
        mode: 0o755,
      });
      const npx = (name: string) =>
        spawnSync('npx', ['--offline', name], {
          cwd: project,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, npm_config_cache: join(project, 'cache') },
        });
      expect(npx('tool').stdout).toContain('RAN');
      expect(npx('lamina-no-such-tool').stderr).toContain('registry');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('configArgFindings agrees with the real programs', () => {
  // Each command prints RAN when a word of it is code the program runs, and the finding says
  // so; the controls give the same word where the program takes it as data.
  const dir = mkdtempSync(join(tmpdir(), 'lamina-config-args-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const line = join(dir, 'line');
  writeFileSync(line, 'x\n');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'Marker.pm'), 'package Marker; print "RAN\\n"; 1;\n');
  const run = (argv: string[]): string =>
    spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';

  it.each([
    [['python3', '-cprint("RAN")'], 'python3 -c'],
    [['python3', '-Sc', 'print("RAN")'], 'python3 -Sc'],
    [['python3', '-W', 'ignore', '-c', 'print("RAN")'], 'python3 -c'],
    [['perl', '-eprint "RAN\\n"'], 'perl -e'],
    [['perl', `-I${join(dir, 'lib')}`, '-MMarker', '-e1'], '-M'],
    [['sed', '-n', '1e echo RAN', line], 'sed program'],
    // GNU sed takes options after operands: with -e, the first operand is an input file.
    [['sed', '-n', line, '-e', '1e echo RAN'], 'sed -e'],
    [['sed', '-n', line, '--expression=1e echo RAN'], 'sed --expression='],
    [['awk', 'BEGIN{print "RAN"}'], 'awk program'],
    [['awk', '-F:', 'BEGIN{print "RAN"}'], 'awk program'],
    [['sh', '-ec', 'echo RAN'], 'sh -ec'],
    // Ruby's -W, -K and -0 take a bounded value; the letters after it are options again.
    [['ruby', '-W2e', 'puts "RAN"'], 'ruby -W2e'],
    [['ruby', '-Kue', 'puts "RAN"'], 'ruby -Kue'],
    [['ruby', '-0777e', 'puts "RAN"'], 'ruby -0777e'],
    [['ruby', '-We', 'puts "RAN"'], 'ruby -We'],
    [['ruby', '--disable', 'gems', '-e', 'puts "RAN"'], 'ruby -e'],
    [['ruby', '--backtrace-limit', '3', '-e', 'puts "RAN"'], 'ruby -e'],
    // env -S splits and unquotes its string itself.
    [['env', '-S', 'python3\\_-c\\_\'print("RAN")\''], 'env -S'],
    [['env', '-S', "pyth''on3 -c 'print(\"RAN\")'"], 'env -S'],
    [['env', '-u', 'X', '-Spython3 -c \'print("RAN")\''], 'env -S'],
    [['/usr/bin/env', '-i', '--split-string=python3 -c \'print("RAN")\''], 'env --split-string='],
    // GNU getopt_long takes a long option's unambiguous prefix, getopt_long_only with one dash.
    [['sed', '-n', '--e=1e echo RAN', line], 'sed --e='],
    [['sed', '-n', '--expr', '1e echo RAN', line], 'sed --expr'],
    [['env', '--spl=python3 -c \'print("RAN")\''], 'env --spl='],
    // Each argument is one word to the program: a value naming another program is a value.
    [['python3', '-X', 'a node', '-c', 'print("RAN")'], 'python3 -c'],
    [['python3', '-W', 'ignore;node', '-c', 'print("RAN")'], 'python3 -c'],
    [['node', '--title', 'x python3', '-e', 'console.log("RAN")'], 'node -e'],
    // Modules of Python's standard library that run their arguments as Python.
    [['python3', '-m', 'timeit', '-n1', '-r1', 'print("RAN")'], 'python3 -m timeit'],
    [['python3', '-mtimeit', '-n1', '-r1', '-s', 'print("RAN")', 'pass'], 'python3 -m timeit'],
    [['python3', '-m', 'pdb', '-c', 'print("RAN")', '-c', 'quit', line], 'python3 -m pdb'],
    // A shell's options begin with + too.
    [['bash', '+x', '-c', 'echo RAN'], 'bash -c'],
    [['dash', '+e', '-c', 'echo RAN'], 'dash -c'],
    [['bash', '+O', 'extglob', '-c', 'echo RAN'], 'bash -c'],
    // npm exec's -c and --call run a shell command (npm 11 here).
    [['npx', '-c', 'echo RAN'], 'npx -c'],
    [['npx', '--call=echo RAN'], 'npx --call='],
    [['npm', 'exec', '-c', 'echo RAN'], 'npm -c'],
    // A long option's value may be the next word: it is not the script.
    [['node', '--disable-warning', 'X', '-e', 'console.log("RAN")'], 'node -e'],
    [['node', '--diagnostic-dir', dir, '-e', 'console.log("RAN")'], 'node -e'],
    [['bash', '--rcfile', empty, '-c', 'echo RAN'], 'bash -c'],
  ])('%j runs code, reported as %s', (argv, path) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toContain(path);
  });

  it("a long option's value that names a program is read as the value too (npm here)", () => {
    // npm takes node as --cache's directory (made in the working directory), then runs -c.
    const cwd = mkdtempSync(join(dir, 'npx-'));
    const argv = ['npx', '--cache', 'node', '-c', 'echo RAN'];
    expect(
      spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', timeout: 60_000 }).stdout
    ).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['npx -c']);
    // Read as a program, it still is one.
    expect(
      configArgFindings({ entrypoint: ['awk', '--posix', 'sh', '-c', 'x'] }).map((f) => f.path)
    ).toContain('sh -c');
    // Each such word is read as a program's start once; past 32 of them, the command line is
    // refused rather than read a growing number of ways.
    const many = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 'node' : '--x'));
    expect(configArgFindings({ entrypoint: [...many(60), '-e', 'x'] }).map((f) => f.path)).toEqual([
      'node -e',
    ]);
    expect(
      configArgFindings({ entrypoint: [...many(20_000), '-e', 'x'] }).map((f) => [f.code, f.path])
    ).toEqual([
      ['ENV_LOADER', 'command line'],
      ['ENV_LOADER', 'node -e'],
    ]);
  });

  it.each(['python3.13t', 'python3.12d', 'python3.7m', 'python3-dbg', 'python3.11-dbg'])(
    "Python runs -c under its builds' names: %s",
    (name) => {
      const python = join(dir, name);
      symlinkSync(
        spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
          encoding: 'utf8',
        }).stdout.trim(),
        python
      );
      expect(run([python, '-c', 'print("RAN")'])).toContain('RAN');
      expect(configArgFindings({ entrypoint: [python, '-c', 'x'] }).map((f) => f.path)).toEqual([
        `${name} -c`,
      ]);
    }
  );

  it.each(['perl5.36.0', 'perl5.36-x86_64-linux-gnu'])(
    'Perl runs -e under the names Debian installs it by: %s',
    (name) => {
      const perl = join(dir, name);
      symlinkSync(spawnSync('perl', ['-e', 'print $^X'], { encoding: 'utf8' }).stdout, perl);
      expect(run([perl, '-e', 'print "RAN\\n"'])).toContain('RAN');
      expect(configArgFindings({ entrypoint: [perl, '-e', 'x'] }).map((f) => f.path)).toEqual([
        `${name} -e`,
      ]);
      expect(configArgFindings({ entrypoint: ['perldoc', '-e', 'x'] })).toEqual([]);
    }
  );

  it('java runs classes from a class directory, any file -jar names, -Djava.class.path= and links, and -XX:VMOptionsFile= options', () => {
    const classes = join(dir, 'classes');
    mkdirSync(classes);
    writeFileSync(
      join(classes, 'Evil.java'),
      'public class Evil { public static void main(String[] a) { System.out.println("RAN"); } }\n'
    );
    spawnSync('javac', ['-d', classes, join(classes, 'Evil.java')], { timeout: 60_000 });
    const cp = ['java', '-cp', classes, 'Evil'];
    expect(run(cp)).toContain('RAN');
    expect(configArgFindings({ entrypoint: cp }).map((f) => f.path)).toEqual([`-cp ${classes}`]);
    // The property -cp sets, given itself, wins over -cp.
    const property = ['java', '-cp', '/var/task', `-Djava.class.path=${classes}`, 'Evil'];
    expect(run(property)).toContain('RAN');
    expect(configArgFindings({ entrypoint: property }).map((f) => f.path)).toEqual([
      `-Djava.class.path ${classes}`,
    ]);
    // -jar opens a file of any name as a jar.
    writeFileSync(join(dir, 'manifest'), 'Main-Class: Evil\n');
    const readme = join(dir, 'readme.dat');
    spawnSync('jar', ['cfm', readme, join(dir, 'manifest'), '-C', classes, 'Evil.class'], {
      timeout: 60_000,
    });
    const jar = ['java', '-jar', readme, '-cp', '/usr/share/x'];
    expect(run(jar)).toContain('RAN');
    expect(configArgFindings({ entrypoint: jar }).map((f) => f.path)).toEqual([`-jar ${readme}`]);
    // Through a link in the function's directory the JVM opens what the link leads to.
    const task = join(dir, 'task');
    mkdirSync(join(task, 'own'), { recursive: true });
    symlinkSync(classes, join(task, 'lib'));
    symlinkSync(readme, join(task, 'app.jar'));
    // up/.. is the directory above where up leads: the test directory, not the function's.
    mkdirSync(join(dir, 'hop'));
    symlinkSync(join(dir, 'hop'), join(task, 'up'));
    const realPath = (p: string): string | undefined => {
      try {
        // The C library's realpath, as the kernel walks: Node.js's own normalizes `..` first.
        return realpathSync.native(p);
      } catch {
        return undefined;
      }
    };
    const view = { taskRoot: task, workingDir: task, realPath };
    for (const cp of ['lib', 'app.jar', 'up/../classes']) {
      const argv = ['java', '-cp', cp, 'Evil'];
      expect(spawnSync('java', argv.slice(1), { cwd: task, encoding: 'utf8' }).stdout).toContain(
        'RAN'
      );
      expect(configArgFindings({ entrypoint: argv }, undefined, view).map((f) => f.path)).toEqual([
        `-cp ${cp}`,
      ]);
    }
    expect(
      configArgFindings({ entrypoint: ['java', '-cp', 'own', 'Evil'] }, undefined, view)
    ).toEqual([]);
    const opts = join(dir, 'opts');
    writeFileSync(opts, '-Dlamina.marker=RAN\n');
    const vm = ['java', `-XX:VMOptionsFile=${opts}`, '-XshowSettings:properties', '-version'];
    const shown = spawnSync(vm[0]!, vm.slice(1), { encoding: 'utf8', timeout: 60_000 });
    expect(shown.stderr).toContain('lamina.marker = RAN');
    expect(configArgFindings({ entrypoint: vm }).map((f) => f.path)).toEqual(['-XX:VMOptionsFile']);
  });

  it.each([
    [['python3', empty, '-c', 'print("RAN")']],
    [['perl', empty, '-eprint "RAN\\n"']],
    [['awk', '-f', empty, 'BEGIN{print "RAN"}']],
    [['sed', '-n', '-f', empty, line, 'e echo RAN']],
    [['sh', empty, '-c', 'echo RAN']],
    // -m's module is the rest of the word: -mcode runs the module code, not -c.
    [['python3', '-mcode', 'print("RAN")']],
    [['python3', '-m', 'code', '-c', 'print("RAN")']],
    // Here the letter after -W:, -K, -i and -F is their value, not -e.
    [['ruby', '-W:e', 'puts "RAN"']],
    [['ruby', '-Ke', 'puts "RAN"']],
    [['ruby', '-ie', 'puts "RAN"']],
    [['ruby', '-Fe', 'puts "RAN"']],
    // After --, the script's name: -c is its argument.
    [['sh', '--', empty, '-c', 'echo RAN']],
    // After npx's command, -c is the command's.
    [['npx', 'node', empty, '-c', 'echo RAN']],
    // A flag takes no value: the next word is the script, and -e its argument.
    [['node', '--expose-gc', empty, '-e', 'console.log("RAN")']],
  ])('%j runs none: nothing reported', (argv) => {
    expect(run(argv)).not.toContain('RAN');
    expect(configArgFindings({ entrypoint: argv })).toEqual([]);
  });
});

describe('configArgFindings: package managers and build tools', () => {
  // Each runs what its project or a registry gives it, not what its words say.
  const dir = mkdtempSync(join(tmpdir(), 'lamina-project-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'package.json'),
    '{"name":"p","version":"1.0.0","scripts":{"start":"echo RAN","serve":"echo RAN"}}'
  );
  writeFileSync(join(dir, 'Makefile'), 'all:\n\t@echo RAN\n');
  writeFileSync(join(dir, 'Rakefile'), 'task(:default) { puts "RAN" }\n');
  writeFileSync(
    join(dir, 'main.go'),
    'package main\nimport "fmt"\nfunc main() { fmt.Println("RAN") }\n'
  );
  mkdirSync(join(dir, 'pkg'));
  // pip runs a source package's setup.py to read its metadata, before installing anything.
  writeFileSync(
    join(dir, 'pkg', 'setup.py'),
    'print("RAN", file=open(__import__("os").environ["MARK"], "w"))\nfrom setuptools import setup\nsetup(name="p", version="1")\n'
  );
  const env = {
    ...process.env,
    npm_config_cache: join(dir, 'npm-cache'),
    GOCACHE: join(dir, 'go-cache'),
    GOPATH: join(dir, 'go'),
    MARK: join(dir, 'mark'),
  };
  const run = (argv: string[]): string => stdoutOf(argv, { cwd: dir, env });

  it.each([
    [['npm', 'start'], 'npm start'],
    [['npm', 'run', 'serve'], 'npm run'],
    [['npm', '--silent', 'start'], 'npm start'],
    [['make'], 'make'],
    [['make', 'all'], 'make all'],
    [['make', '-f', 'Makefile'], 'make'],
    [['rake'], 'rake'],
    [['go', 'run', 'main.go'], 'go run'],
  ])('%j runs the project’s code, reported as %s', (argv, path) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });

  it('python3 -m pip runs a setup.py it is given (pip 23 here), reported as python3 -m pip', () => {
    const argv = ['python3', '-m', 'pip', 'download', '--no-index', '--no-build-isolation'];
    const mark = join(dir, 'mark');
    rmSync(mark, { force: true });
    run([...argv, '--no-deps', '-d', join(dir, 'dl'), './pkg']);
    expect(readFileSync(mark, 'utf8')).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['python3 -m pip']);
  });

  it.each([
    [['yarn'], 'yarn'],
    [['/usr/local/bin/yarn', 'start'], 'yarn start'],
    [['pnpm', 'dlx', 'x'], 'pnpm dlx'],
    [['bunx', 'x'], 'bunx x'],
    [['bun', 'start'], 'bun start'],
    [['bun', 'run', 'start'], 'bun start'],
    [['deno', 'run', '-A', 'https://example.com/x.ts'], 'deno https://example.com/x.ts'],
    [['deno', 'task', 'start'], 'deno task'],
    [['pip3', 'install', 'x'], 'pip3 install'],
    [['uvx', 'x'], 'uvx x'],
    [['uv', 'run', 'app.py'], 'uv run'],
    [['pipx', 'run', 'x'], 'pipx run'],
    [['gem', 'install', 'x'], 'gem install'],
    [['bundle', 'exec', 'aws_lambda_ric', 'app.handler'], 'bundle exec'],
    [['bundle'], 'bundle'],
    [['dotnet', 'run'], 'dotnet run'],
    [['corepack', 'yarn'], 'corepack yarn'],
    [['sh', '-c', 'pip install x && python -m x'], 'pip install'],
    // A word that may be an option's value may be the command too.
    [['npm', '--prefix', '/app', 'start'], 'npm start'],
  ])('%j is reported as %s', (argv, path) => {
    const found = configArgFindings({ entrypoint: argv });
    expect(found.map((f) => f.path)).toContain(path);
    expect(found.every((f) => f.code === 'ENV_LOADER')).toBe(true);
  });

  it('reports nothing for a file bun or deno runs, or the application dotnet runs', () => {
    for (const entrypoint of [
      ['bun', 'run', '/var/task/index.ts'],
      ['bun', 'index.ts'],
      ['deno', 'run', '-A', 'main.ts'],
      ['dotnet', '/var/task/app.dll'],
    ])
      expect(configArgFindings({ entrypoint })).toEqual([]);
  });
});

describe('configArgFindings: programs that run a command lamina does not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-wrappers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'tree'));
  writeFileSync(join(dir, 'tree', 'run'), '#!/bin/sh\necho RAN\n', { mode: 0o755 });
  // xargs unquotes its input as the shell would: this file is `-c 'print("RAN")'`.
  writeFileSync(join(dir, 'args'), '-c\n\'print("RAN")\'\n');
  const run = (argv: string[]): string => stdoutOf(argv, { cwd: dir });

  it.each([
    // find runs each file it finds; xargs -a adds python3's -c CODE from a file.
    [['find', 'tree', '-name', 'run', '-exec', '{}', ';'], 'find -exec'],
    [['xargs', '-a', 'args', 'python3'], 'xargs -a'],
    [['xargs', '--arg-file=args', 'python3'], 'xargs --arg-file'],
    [['xargs', '--arg', 'args', 'python3'], 'xargs --arg'],
  ])('%j runs what it is not given, reported as %s', (argv, path) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });

  it('watch runs its words as a shell command line (procps-ng here), reported as watch command', () => {
    const mark = join(dir, 'watched');
    // A redirection and `;` are the shell's: watch hands its words to sh -c. -g stops it when
    // the output changes, as the nanoseconds do.
    const argv = ['watch', '-n', '0.1', '-g', `echo RAN > ${mark}; date +%N`];
    run(['timeout', '10', ...argv]);
    expect(readFileSync(mark, 'utf8')).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['watch command']);
    expect(
      configArgFindings({ entrypoint: ['parallel', '-j', '2', 'echo', ':::', 'a'] }).map(
        (f) => f.path
      )
    ).toEqual(['parallel command']);
  });

  it('wrappers that exec their command as given are read through: the command is found', () => {
    for (const wrapper of [
      ['nohup'],
      ['timeout', '5'],
      ['nice', '-n', '5'],
      ['ionice', '-c', '3'],
      ['taskset', '-c', '0'],
      ['setsid'],
      ['tini', '--'],
      ['dumb-init'],
      ['gosu', 'nobody'],
      ['runuser', '-u', 'nobody', '--'],
      ['xargs', '-0'],
      ['watch', '-x'],
    ]) {
      const argv = [...wrapper, 'python3', '-c', 'print("RAN")'];
      expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toContain('python3 -c');
    }
    for (const wrapper of [
      ['nice', '-n', '5'],
      ['watch', '-x'],
      ['watch', '--exec'],
    ])
      expect(
        configArgFindings({ entrypoint: [...wrapper, 'python3', '-c', 'x'] }).map((f) => f.path)
      ).toEqual(['python3 -c']);
  });
});

describe('configArgFindings: a command run as another user', () => {
  it.each([
    // sudo loads /etc/sudo.conf's plugins and sets sudoers' env_file for its command.
    [['sudo', '-u', 'app', '-E', '--preserve-env=A,B', '/var/task/run'], ['sudo config']],
    [['doas', '-u', 'app', '-n', '/var/task/run'], ['doas config']],
    // -i runs a login shell, -s $SHELL, -e an editor; -D and -R move where ./run is.
    [
      ['sudo', '-i', 'python3', 'app.py'],
      ['sudo -i', 'sudo config'],
    ],
    [
      ['sudo', '--login', 'python3', 'app.py'],
      ['sudo --login', 'sudo config'],
    ],
    [
      ['sudo', '-s', 'python3', 'app.py'],
      ['sudo -s', 'sudo config'],
    ],
    [
      ['sudo', '-e', '/etc/hosts'],
      ['sudo -e', 'sudo config'],
    ],
    [
      ['sudo', '-D', '/usr/share/doc/x', './run'],
      ['sudo -D', 'sudo config'],
    ],
    [
      ['sudo', '--chroot=/usr/share/doc/x', '/run'],
      ['sudo --chroot', 'sudo config'],
    ],
    [
      ['doas', '-s'],
      ['doas -s', 'doas config'],
    ],
    // chpst -e and envdir set the command's variables from a directory's files.
    [['chpst', '-u', 'app', '-e', '/etc/app.env', 'python3', 'app.py'], ['chpst -e']],
    [['chpst', '-/', '/usr/share/doc/x', '/run'], ['chpst -/']],
    [['envdir', '/etc/app.env', 'python3', 'app.py'], ['envdir directory']],
    [['s6-envdir', '-I', '/etc/app.env', 'python3', 'app.py'], ['s6-envdir directory']],
    // An option lamina does not read may take the next word or not: the command is unknown.
    [
      ['sudo', '-X', 'python3', 'app.py'],
      ['sudo -X', 'sudo config'],
    ],
    [
      ['doas', '--user', 'app', '/run'],
      ['doas --user', 'doas config'],
    ],
    [['setpriv', '--bogus', 'python3', 'app.py'], ['setpriv --bogus']],
    [['chpst', '-z', 'python3', 'app.py'], ['chpst -z']],
    [
      ['runuser', '-Z', 'app', '/run'],
      ['runuser -Z', 'runuser shell'],
    ],
  ])('%j is reported as %j', (entrypoint, paths) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual(paths);
  });

  it("takes the user as the user, whatever program it names, and reads the command's options", () => {
    for (const argv of [
      ['sudo', '-u', 'make', 'python3', 'app.py'],
      ['gosu', 'make', 'python3', 'app.py'],
      ['su-exec', 'make:make', 'python3', 'app.py'],
      ['setuidgid', 'make', 'python3', 'app.py'],
      ['s6-setuidgid', 'make', 'python3', 'app.py'],
      ['runuser', '-u', 'make', '--', 'python3', 'app.py'],
      ['chpst', '-u', 'make', 'python3', 'app.py'],
      ['setpriv', '--reuid=make', '--init-groups', 'python3', 'app.py'],
    ]) {
      const paths = configArgFindings({ entrypoint: argv }).map((f) => f.path);
      expect(paths.filter((p) => p !== `${argv[0]!} config`)).toEqual([]);
      expect(interpreterScripts({ entrypoint: argv })).toEqual(['app.py']);
      const inline = [...argv.slice(0, -1), '-c', 'x'];
      expect(configArgFindings({ entrypoint: inline }).map((f) => f.path)).toContain('python3 -c');
    }
  });

  it('runuser -u and setpriv exec the command, su runs the shell /etc/passwd names (util-linux here)', () => {
    // Run as root, as the test machine is; as another user, su and runuser cannot switch.
    if (process.getuid?.() !== 0) throw new Error('these programs switch users only as root');
    const passwd = readFileSync('/etc/passwd', 'utf8');
    const rootShell = /^root:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/m.exec(passwd)![1]!;
    expect(stdoutOf(['su', 'root', '-c', 'echo $0']).trim()).toBe(basename(rootShell));
    expect(configArgFindings({ entrypoint: ['su', 'root'] }).map((f) => f.path)).toEqual([
      'su shell',
    ]);
    for (const argv of [
      ['runuser', '-u', 'nobody', '--', 'sh', '-c', 'echo RAN'],
      ['setpriv', '--reuid=65534', '--init-groups', 'sh', '-c', 'echo RAN'],
    ]) {
      expect(stdoutOf(argv)).toContain('RAN');
      expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['sh -c']);
    }
    expect(spawnSync('setpriv', ['--bogus', 'true']).status).not.toBe(0);
  });
});

describe('configArgFindings: a start that moves its root or working directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-chdir-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'elsewhere', 'run'), '#!/bin/sh\necho RAN\n', { mode: 0o755 });

  // lamina takes ./run from the working directory; these run elsewhere/run.
  it.each([
    [['env', '-C', 'elsewhere', './run'], 'env -C'],
    [['env', '--chdir=elsewhere', './run'], 'env --chdir'],
    [['env', '--ch', 'elsewhere', './run'], 'env --ch'],
    [['unshare', '--wd=elsewhere', './run'], 'unshare --wd'],
    [['nsenter', `--wd=${join(dir, 'elsewhere')}`, './run'], 'nsenter --wd'],
  ])('%j runs a file lamina does not look for, reported as %s', (argv, path) => {
    expect(
      spawnSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 10_000 }).stdout
    ).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });

  it.each([
    [['chroot', '/usr/share/doc/x', '/bin/sh', 'app.sh'], 'chroot /usr/share/doc/x'],
    [['unshare', '-R', '/usr/share/doc/x', '/bin/sh'], 'unshare -R'],
    [['nsenter', '-r/usr/share/doc/x', '/bin/sh'], 'nsenter -r'],
    [['env', '-a', 'sh', '/bin/busybox', 'app.sh'], 'env -a'],
    [['env', '--argv0=sh', '/bin/busybox', 'app.sh'], 'env --argv0'],
  ])('%j is reported as %s', (argv, path) => {
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });

  it('reports nothing for env setting or unsetting variables', () => {
    expect(configArgFindings({ entrypoint: ['env', '-i', '-u', 'X', 'A=1', './run'] })).toEqual([]);
  });
});

describe("configArgFindings: a shell's startup files", () => {
  const home = mkdtempSync(join(tmpdir(), 'lamina-shell-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  for (const file of ['.bashrc', '.bash_profile', '.profile', 'rc'])
    writeFileSync(join(home, file), 'echo RAN\n');
  const empty = join(home, 'empty');
  writeFileSync(empty, '');
  // No terminal and nothing on stdin, as a function starts: the shell reads its startup files
  // and ends.
  const run = (argv: string[]): string =>
    stdoutOf(argv, { cwd: home, ...inHome(home, { ENV: join(home, 'rc') }) });

  it.each([
    [['bash', '-i'], 'bash -i'],
    [['bash', '--rcfile', join(home, 'rc'), '-i'], 'bash --rcfile'],
    [['bash', '--init-file', join(home, 'rc'), '-i'], 'bash --init-file'],
    [['bash', '-l', empty], 'bash -l'],
    [['bash', '--login', empty], 'bash --login'],
    [['dash', '-l', empty], 'dash -l'],
    [['dash', '-i'], 'dash -i'],
  ])('%j runs a startup file, reported as %s', (argv, path) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toContain(path);
  });

  it('reports nothing for a shell running a script, which reads no startup file', () => {
    for (const argv of [
      ['bash', empty],
      ['dash', empty],
      ['bash', '+i', empty],
    ]) {
      expect(run(argv)).not.toContain('RAN');
      expect(configArgFindings({ entrypoint: argv })).toEqual([]);
    }
  });
});

describe("configArgFindings: the JDK tools' JVM options", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-jdk-tools-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // An agent that writes RAN to the file its option names.
  writeFileSync(
    join(dir, 'Agent.java'),
    'public class Agent { public static void premain(String a) throws Exception { java.nio.file.Files.writeString(java.nio.file.Path.of(a), "RAN"); } }\n'
  );
  writeFileSync(join(dir, 'manifest'), 'Premain-Class: Agent\n');
  const agent = join(dir, 'agent.jar');
  const mark = join(dir, 'mark');
  writeFileSync(join(dir, 'opts'), `-javaagent:${agent}=${mark}\n`);
  writeFileSync(
    join(dir, 'startup.jsh'),
    `java.nio.file.Files.writeString(java.nio.file.Path.of("${mark}"), "RAN");\n`
  );

  beforeAll(() => {
    spawnSync('javac', ['-d', dir, join(dir, 'Agent.java')], { timeout: 60_000 });
    spawnSync('jar', ['cfm', agent, join(dir, 'manifest'), '-C', dir, 'Agent.class'], {
      timeout: 60_000,
    });
  });

  it.each([
    [['javac', `-J-javaagent:${agent}=${mark}`, '-version'], '-J-javaagent:'],
    [['javac', `-J-XX:VMOptionsFile=${join(dir, 'opts')}`, '-version'], '-J-XX:VMOptionsFile='],
    [['jshell', `-J-javaagent:${agent}=${mark}`], '-J-javaagent:'],
    [['jshell', `-R-javaagent:${agent}=${mark}`], '-R-javaagent:'],
    [['jshell', '--startup', join(dir, 'startup.jsh')], '--startup'],
  ])('%j runs code (java 17 here), reported as %s', (argv, path) => {
    rmSync(mark, { force: true });
    spawnSync(argv[0]!, argv.slice(1), { input: '/exit\n', timeout: 120_000 });
    expect(readFileSync(mark, 'utf8')).toBe('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });
});

describe('configArgFindings: fish', () => {
  const home = mkdtempSync(join(tmpdir(), 'lamina-fish-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(join(home, '.config', 'fish'), { recursive: true });
  writeFileSync(join(home, '.config', 'fish', 'config.fish'), 'echo RAN\n');
  const script = join(home, 'app.fish');
  writeFileSync(script, 'true\n');
  const run = (argv: string[]): string => stdoutOf(argv, inHome(home));

  it.each([
    [['fish', '-N', '-C', 'echo RAN', '-c', 'true'], 'fish -C'],
    [['fish', '-N', '--init-command=echo RAN', '-c', 'true'], 'fish --init-command='],
    [['fish', '-N', '--init=echo RAN', '-c', 'true'], 'fish --init='],
    [['fish', '-N', '--comm=echo RAN'], 'fish --comm='],
    // fish 3.6 runs its configuration before a script too.
    [['fish', script], 'fish config'],
  ])('%j runs code (fish 3.6 here), reported as %s', (argv, path) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([path]);
  });

  it('fish -N reads no configuration: a script alone is reported as nothing', () => {
    for (const argv of [
      ['fish', '-N', script],
      ['fish', '--no-config', script],
    ]) {
      expect(run(argv)).not.toContain('RAN');
      expect(configArgFindings({ entrypoint: argv })).toEqual([]);
    }
  });
});

describe("configArgFindings: Node.js's inspector open to the network", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-inspect-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const app = join(dir, 'app.js');
  writeFileSync(app, '');
  const listening = (option: string): string =>
    /Debugger listening on ws:\/\/([^/]+):\d+\//.exec(
      spawnSync('node', [option, app], { encoding: 'utf8', timeout: 30_000 }).stderr
    )?.[1] ?? '';

  it('node --inspect=0.0.0.0 listens on every address (node here): reported as --inspect', () => {
    expect(listening('--inspect=0.0.0.0:0')).toBe('0.0.0.0');
    expect(
      configArgFindings({ entrypoint: ['node', '--inspect=0.0.0.0:9229', app] }).map((f) => [
        f.code,
        f.path,
      ])
    ).toEqual([['ENV_LOADER', '--inspect']]);
    // The loopback's is the function's own: nothing is reported.
    expect(listening('--inspect=127.0.0.1:0')).toBe('127.0.0.1');
    expect(configArgFindings({ entrypoint: ['node', '--inspect=127.0.0.1:9229', app] })).toEqual(
      []
    );
  });

  it.each([
    [['node', '--inspect-brk=[::]:9229', 'app.js'], '--inspect-brk'],
    [['node', '--inspect-wait=10.0.0.5', 'app.js'], '--inspect-wait'],
    [['node', '--inspect-port', '0.0.0.0:9229', 'app.js'], '--inspect-port'],
    [['node', '--inspect', '--inspect-port=debug.example.com:9229', 'app.js'], '--inspect-port'],
  ])('%j is reported as %s', (entrypoint, path) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual([path]);
  });

  it("java's JMX remote port beyond the loopback is reported (checked by hand: java 17 here listened on every address, and a peer there had DiagnosticCommand load an agent)", () => {
    const jmx = '-Dcom.sun.management.jmxremote.port=9010';
    for (const entrypoint of [
      ['java', jmx, '-Dcom.sun.management.jmxremote.authenticate=false', '-jar', 'app.jar'],
      ['java', jmx, '-Dcom.sun.management.jmxremote.host=0.0.0.0', '-jar', 'app.jar'],
      ['jshell', `-J${jmx}`],
    ])
      expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual([
        '-Dcom.sun.management.jmxremote.port',
      ]);
    expect(
      configArgFindings({
        entrypoint: ['java', jmx, '-Dcom.sun.management.jmxremote.host=127.0.0.1', '-jar', 'a.jar'],
      })
    ).toEqual([]);
  });

  it('reports nothing for an inspector on the loopback', () => {
    for (const option of [
      '--inspect',
      '--inspect=9229',
      '--inspect-brk=localhost:9229',
      '--inspect=[::1]:9229',
      '--inspect=127.0.0.2:9229',
    ])
      expect(configArgFindings({ entrypoint: ['node', option, 'app.js'] })).toEqual([]);
  });
});

describe("configArgFindings: Ruby's and Python's debuggers", () => {
  const home = mkdtempSync(join(tmpdir(), 'lamina-rdbg-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  writeFileSync(join(home, '.rdbgrc.rb'), 'puts "RC RAN"\n');
  const app = join(home, 'app.rb');
  writeFileSync(app, 'puts "APP"\n');
  const commands = join(home, 'commands');
  writeFileSync(commands, 'eval puts("FILE RAN")\ncontinue\n');
  // The debug gem's rdbg, bundled with Ruby 3.1 (Debian names it rdbg3.1).
  const rdbg = stdoutOf(['ruby', '-e', 'print Gem.bin_path("debug", "rdbg")']);
  const ruby = (argv: string[], env: Record<string, string> = {}): string =>
    stdoutOf(argv, { ...inHome(home, env), timeout: 30_000 });

  it('rdbg loads ~/.rdbgrc.rb, Ruby, unless --no-rc (debug 1.4 here): rdbg rc', () => {
    expect(ruby(['ruby', rdbg, '-n', app])).toContain('RC RAN');
    expect(configArgFindings({ entrypoint: ['rdbg', '-n', app] }).map((f) => f.path)).toEqual([
      'rdbg rc',
    ]);
    expect(ruby(['ruby', rdbg, '-n', '--no-rc', app])).not.toContain('RC RAN');
    for (const entrypoint of [
      ['rdbg', '-n', '--no-rc', app],
      ['rdbg3.1', app, '--no-rc'],
    ]) {
      expect(configArgFindings({ entrypoint })).toEqual([]);
      expect(interpreterScripts({ entrypoint })).toEqual([app]);
    }
  });

  it('rdbg -e and -x run debug commands, eval among them (debug 1.4 here)', () => {
    expect(ruby(['ruby', rdbg, '--no-rc', '-e', 'eval puts("E RAN")', '-e', 'c', app])).toContain(
      'E RAN'
    );
    expect(ruby(['ruby', rdbg, '--no-rc', '-x', commands, app])).toContain('FILE RAN');
    expect(
      configArgFindings({ entrypoint: ['rdbg', '--no-rc', '-e', 'eval x', app] }).map((f) => f.path)
    ).toEqual(['rdbg -e']);
    expect(
      configArgFindings({ entrypoint: ['rdbg', '--no-rc', `--init-script=${commands}`, app] }).map(
        (f) => f.path
      )
    ).toEqual(['--init-script']);
  });

  it('the debug gem opened beyond the loopback is reported as node --inspect is (debug 1.4 here listens on 0.0.0.0)', () => {
    // The server binds in a thread of its own: the script waits for it and prints its address.
    const listen = join(home, 'listen.rb');
    writeFileSync(
      listen,
      [
        'ui = DEBUGGER__::SESSION.instance_variable_get(:@ui)',
        '500.times { break if ui.instance_variable_get(:@addr); sleep 0.02 }',
        'puts "ADDR #{ui.instance_variable_get(:@addr)}"',
        '',
      ].join('\n')
    );
    const listening = (argv: string[], env: Record<string, string> = {}): string =>
      /ADDR (.+):\d+$/m.exec(ruby([...argv, listen], { RUBY_DEBUG_NONSTOP: '1', ...env }))?.[1] ??
      '';
    expect(listening(['ruby', rdbg, '-O', '--host', '0.0.0.0', '--port', '0'])).toBe('0.0.0.0');
    expect(
      configArgFindings({ entrypoint: ['rdbg', '-O', '--no-rc', '--host=0.0.0.0', app] }).map(
        (f) => f.path
      )
    ).toEqual(['--host']);
    expect(listening(['ruby', '-r', 'debug/open'], { RUBY_DEBUG_PORT: '0' })).toBe('127.0.0.1');
    expect(
      listening(['ruby', '-r', 'debug/open'], {
        RUBY_DEBUG_PORT: '0',
        RUBY_DEBUG_HOST: '0.0.0.0',
      })
    ).toBe('0.0.0.0');
    expect(
      configEnvFindings(['RUBY_DEBUG_PORT=12345', 'RUBY_DEBUG_HOST=0.0.0.0']).map((f) => [
        f.code,
        f.path,
      ])
    ).toEqual([['ENV_LOADER', 'RUBY_DEBUG_HOST']]);
    expect(
      configArgFindings({
        entrypoint: ['sh', '-c', 'RUBY_DEBUG_HOST=:: exec bundle exec ruby app.rb'],
      }).map((f) => f.path)
    ).toContain('RUBY_DEBUG_HOST');
    // The loopback's is the function's own.
    expect(
      configEnvFindings([
        'RUBY_DEBUG_PORT=12345',
        'RUBY_DEBUG_HOST=127.0.0.1',
        'RUBY_DEBUG_NONSTOP=1',
      ])
    ).toEqual([]);
    expect(configArgFindings({ entrypoint: ['rdbg', '-O', '--no-rc', '--port=1', app] })).toEqual(
      []
    );
  });

  it('RUBY_DEBUG_COMMANDS and RUBY_DEBUG_OPT run debug commands at the first stop (debug 1.4 here)', () => {
    expect(
      ruby(['ruby', '-r', 'debug/start', app], {
        RUBY_DEBUG_COMMANDS: 'eval puts("ENV RAN");; continue',
        RUBY_DEBUG_NO_RC: '1',
      })
    ).toContain('ENV RAN');
    expect(
      ruby(['ruby', '-r', 'debug/start', app], {
        RUBY_DEBUG_OPT: `--no-rc -x ${commands}`,
      })
    ).toContain('FILE RAN');
    expect(
      configEnvFindings([
        'RUBY_DEBUG_COMMANDS=eval x',
        `RUBY_DEBUG_OPT=-x ${commands}`,
        `RUBY_DEBUG_INIT_SCRIPT=${commands}`,
        'DEBUGPY_EXTRA_ARGV=--listen 0.0.0.0:5678',
      ]).map((f) => f.path)
    ).toEqual([
      'RUBY_DEBUG_COMMANDS',
      'RUBY_DEBUG_OPT',
      'RUBY_DEBUG_INIT_SCRIPT',
      'DEBUGPY_EXTRA_ARGV',
    ]);
  });

  it.each([
    // debugpy's --listen takes [HOST:]PORT, 127.0.0.1 without a host; --connect hands the
    // process to the client there. Checked by hand with debugpy 1.8.22 (not on the test
    // machines): --listen 0.0.0.0:PORT listened on every address, a port alone on 127.0.0.1,
    // DEBUGPY_EXTRA_ARGV's --listen too, and -c and -m timeit ran their code.
    [
      ['python3', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client', 'app.py'],
      ['--listen'],
    ],
    [['python', '-mdebugpy', '--listen', '[::]:5678', '-m', 'uvicorn', 'main:app'], ['--listen']],
    [['python3', '-m', 'debugpy', '--connect', 'debug.example.com:5678', 'app.py'], ['--connect']],
    [['debugpy', '--listen', '0.0.0.0:5678', 'app.py'], ['--listen']],
    [['python3', '-m', 'debugpy', '--listen', '5678', '-c', 'CODE'], ['debugpy -c']],
    [
      ['python3', '-m', 'debugpy', '--listen', '5678', '-m', 'pip', 'install', 'x'],
      ['debugpy -m pip'],
    ],
    [['python3', '-m', 'debugpy', '--listen', '127.0.0.1:5678', 'app.py'], []],
    [['python3', '-m', 'debugpy', '--listen', '5678', 'app.py', '--listen', '0.0.0.0:1'], []],
  ])('%j is reported as %j', (entrypoint, paths) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual(paths);
  });

  it("debugpy's script is the start's script: read as executed", () => {
    expect(
      interpreterScripts({
        entrypoint: ['python3', '-m', 'debugpy', '--listen', '5678', '--wait-for-client', 'app.py'],
      })
    ).toEqual(['app.py']);
  });
});

describe('configArgFindings: the configuration files Bun and Deno read on their own', () => {
  /** A view of an image whose files are `files`, started in `workingDir`. */
  const view = (
    files: Record<string, string | null>,
    workingDir = '/var/task',
    env: string[] = []
  ) => ({
    text: (path: string) => files[path],
    workingDir,
    env,
  });
  const paths = (entrypoint: string[], files: Record<string, string | null>, env: string[] = []) =>
    configArgFindings({ entrypoint }, undefined, view(files, '/var/task', env)).map((f) => f.path);
  const scripts = (entrypoint: string[], files: Record<string, string | null>) =>
    interpreterScripts({ entrypoint }, view(files));

  it("a bunfig's preload runs first: its files are the start's scripts, from the working directory's bunfig, $HOME's and $XDG_CONFIG_HOME's", () => {
    const local = {
      '/var/task/bunfig.toml':
        '# scripts to run first\npreload = ["./setup.ts", "/usr/share/doc/x/readme.txt"]\nlogLevel = "warn"\n\n[run]\npreload = [\n  "./more.ts", # a comment\n]\n\n[install]\nregistry = "https://registry.example.com"\n\n[test]\npreload = ["./test-setup.ts"]\n',
    };
    expect(paths(['bun', 'run', 'app.ts'], local)).toEqual([]);
    expect(scripts(['bun', 'run', 'app.ts'], local)).toEqual([
      'app.ts',
      '/var/task/setup.ts',
      '/usr/share/doc/x/readme.txt',
      '/var/task/more.ts',
    ]);
    // No HOME: root's, as Docker starts a root image; else HOME's, and XDG_CONFIG_HOME's.
    expect(scripts(['bun', 'app.ts'], { '/root/.bunfig.toml': 'preload = "/srv/p.js"\n' })).toEqual(
      ['app.ts', '/srv/p.js']
    );
    const env = ['HOME=/home/app', 'XDG_CONFIG_HOME=/etc/xdg'];
    expect(
      interpreterScripts(
        { entrypoint: ['bun', 'app.ts'] },
        view(
          {
            '/home/app/.bunfig.toml': 'preload = ["/a.js"]',
            '/etc/xdg/.bunfig.toml': 'preload = ["/b.js"]',
          },
          '/var/task',
          env
        )
      )
    ).toEqual(['app.ts', '/a.js', '/b.js']);
    // Another program reads none.
    expect(scripts(['node', 'app.js'], local)).toEqual(['app.js']);
    // Bun under another name, a link to it, reads its bunfig all the same.
    const linked = { ...view(local), names: (w: string) => (w === 'js' ? ['bun'] : []) };
    expect(interpreterScripts({ entrypoint: ['js', 'app.ts'] }, linked)).toContain(
      '/usr/share/doc/x/readme.txt'
    );
  });

  it('a bunfig lamina cannot read whole is reported, path the file', () => {
    for (const body of [
      // define substitutes code, a loader makes a .txt TypeScript, serve's plugins load.
      '[define]\n"process.env.X" = "require(\'child_process\')"\n',
      '[loader]\n".txt" = "ts"\n',
      '[serve.static]\nplugins = ["./p.ts"]\n',
      'jsxImportSource = "x"\n',
      // Values and keys in forms lamina does not read.
      "preload = ['./literal.ts']\n",
      'run.preload = ["./dotted.ts"]\n',
      'run = { preload = ["./inline.ts"] }\n',
      'preload = ["./a.ts", 1]\n',
      '"preload" = ["./quoted.ts"]\n',
    ])
      expect(paths(['bun', 'app.ts'], { '/var/task/bunfig.toml': body })).toEqual([
        '/var/task/bunfig.toml',
      ]);
    // Too large or not a file.
    expect(paths(['bun', 'app.ts'], { '/root/.bunfig.toml': null })).toEqual([
      '/root/.bunfig.toml',
    ]);
  });

  it('bun -c and --config name a bunfig, BUN_OPTIONS adds options (--preload): reported', () => {
    expect(paths(['bun', '-c', '/etc/b.toml', 'app.ts'], {})).toEqual(['-c']);
    expect(paths(['bun', '--config=/etc/b.toml', 'app.ts'], {})).toEqual(['--config']);
    expect(
      configEnvFindings(['BUN_OPTIONS=--preload /usr/share/doc/x/p.js']).map((f) => f.path)
    ).toEqual(['BUN_OPTIONS']);
  });

  it('a deno.json whose imports map a module to a URL has Deno fetch it at start: reported, path the file', () => {
    for (const [file, body] of [
      ['/var/task/deno.json', '{ "imports": { "oak": "https://deno.land/x/oak@v12/mod.ts" } }'],
      [
        '/var/deno.jsonc',
        '{\n  // fetched\n  "scopes": { "/": { "x": "http://example.com/x.ts" } },\n}\n',
      ],
      ['/deno.json', '{ "importMap": "./import_map.json" }'],
      ['/var/task/deno.json', '{ "imports": '],
      ['/var/task/deno.json', null],
    ] as const)
      expect(paths(['deno', 'run', 'main.ts'], { [file]: body })).toEqual([file]);
    // npm: and jsr: ones are fetched too, when no node_modules or cache holds them: deno's
    // own file reading is what lamina reports them by (`deno run npm:x`); a local map is not.
    expect(
      paths(['deno', 'run', 'main.ts'], {
        '/var/task/deno.json': '{ "imports": { "std/": "./vendor/std/" }, "tasks": {} }',
      })
    ).toEqual([]);
    expect(
      paths(['deno', 'run', '--import-map=https://x.example/map.json', 'main.ts'], {})
    ).toEqual(['--import-map']);
    expect(paths(['deno', 'run', '-c', 'deno.json', 'main.ts'], {})).toEqual(['-c']);
    // Another program reads none.
    expect(paths(['node', 'main.js'], { '/var/task/deno.json': '{ "importMap": "x" }' })).toEqual(
      []
    );
  });
});

describe('configArgFindings: npm and npx by the scripts their links lead to', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-npm-link-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'package.json'),
    '{"name":"p","version":"1.0.0","scripts":{"start":"echo RAN"}}'
  );
  // npm's own bin/npm-cli.js, wherever this machine installs it.
  const npm = realpathSync(
    spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim()
  );
  const names = (word: string): string[] => {
    try {
      return [basename(realpathSync(word))];
    } catch {
      return [];
    }
  };
  const run = (argv: string[]): string =>
    stdoutOf(argv, { cwd: dir, env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } });

  it('a link to npm-cli.js, or node running it, is npm (npm here runs scripts.start)', () => {
    const link = join(dir, 'start-app');
    symlinkSync(npm, link);
    for (const argv of [
      [link, 'start'],
      ['node', npm, 'start'],
    ]) {
      expect(run(argv)).toContain('RAN');
      expect(
        configArgFindings({ entrypoint: argv }, undefined, { names }).map((f) => f.path)
      ).toContain(`${basename(argv[0] === link ? link : npm)} start`);
    }
  });

  it('a link to npx-cli.js is npx: its -c runs a shell command, another package is fetched', () => {
    const link = join(dir, 'x');
    symlinkSync(join(dirname(npm), 'npx-cli.js'), link);
    expect(run([link, '-c', 'echo RAN'])).toContain('RAN');
    expect(
      configArgFindings({ entrypoint: [link, '-c', 'echo RAN'] }, undefined, { names }).map(
        (f) => f.path
      )
    ).toEqual(['x -c']);
    const view = { names, realPath: () => undefined, workingDir: '/var/task' };
    expect(
      configArgFindings({ entrypoint: [link, 'aws-lambda-ric-fork'] }, undefined, view).map(
        (f) => f.path
      )
    ).toEqual(['npx aws-lambda-ric-fork']);
  });
});

describe('configArgFindings: what a directory or configuration names', () => {
  it('run-parts runs each executable of its directory (debianutils here): run-parts DIR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-run-parts-'));
    try {
      writeFileSync(join(dir, 'hook'), '#!/bin/sh\necho RAN\n', { mode: 0o755 });
      const argv = ['run-parts', dir];
      expect(spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' }).stdout).toContain('RAN');
      expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([
        `run-parts ${dir}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['supervisord', '-n', '-c', '/etc/supervisord.conf'], ['supervisord']],
    [['runsvdir', '-P', '/etc/service'], ['runsvdir /etc/service']],
    [['busybox', 'crond', '-f', '-l', '8'], ['crond']],
    // A login shell reads /etc/profile and ~/.profile (util-linux su opens both).
    [
      ['su', '-', 'app'],
      ['su -', 'su shell'],
    ],
    [['su', '-l', 'app', '-s', '/bin/sh'], ['su -l']],
    [
      ['runuser', '--login', 'app'],
      ['runuser --login', 'runuser shell'],
    ],
    [
      ['su', '--log', 'app'],
      ['su --log', 'su shell'],
    ],
    [['su', 'app', '-s', '/bin/sh'], []],
    [['busybox', 'hush', '-c', 'x'], ['hush -c']],
  ])('%j is reported as %j', (entrypoint, paths) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual(paths);
  });
});

describe('configArgFindings: the dynamic loader run as a program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-ldso-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // This machine's loader, as /bin/true names it.
  const ldso = /^\s*(\/\S*ld\S*\.so\S*)/m.exec(
    spawnSync('ldd', ['/bin/true'], { encoding: 'utf8' }).stdout
  )![1]!;

  it('--preload loads an object by a bare name of any spelling: --preload', () => {
    mkdirSync(join(dir, 'lib'));
    oddLibrary(join(dir, 'lib'), 'evil.dat');
    const argv = [ldso, '--library-path', join(dir, 'lib'), '--preload', 'evil.dat', '/bin/true'];
    const env = { ...process.env, LD_DEBUG: 'files' };
    expect(spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' }).stderr).toContain(
      'file=evil.dat'
    );
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['--preload']);
    expect(
      configArgFindings({ entrypoint: [ldso, '--audit', 'a.so', '/bin/true'] }).map((f) => f.path)
    ).toEqual(['--audit']);
  });

  it('--argv0 -bash makes bash a login shell, which reads ~/.bash_profile', () => {
    writeFileSync(join(dir, '.bash_profile'), 'echo RAN\n');
    const argv = [ldso, '--argv0', '-bash', '/bin/bash'];
    expect(
      spawnSync(argv[0]!, argv.slice(1), {
        env: { PATH: process.env.PATH, HOME: dir },
        input: '',
        encoding: 'utf8',
      }).stdout
    ).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual([
      `${basename(ldso)} --argv0`,
    ]);
    // Its value is no program of its own: sh here is the name busybox would take.
    expect(
      configArgFindings({ entrypoint: [ldso, '--argv0', 'sh', '/bin/busybox', '-c', 'x'] }).map(
        (f) => f.path
      )
    ).toEqual([`${basename(ldso)} --argv0`]);
  });

  it('reports nothing for the loader running a program with its library path', () => {
    expect(
      configArgFindings({ entrypoint: [ldso, '--library-path', '/opt/lib', '/var/task/app'] })
    ).toEqual([]);
  });
});

describe('configArgFindings: shells that always run a startup file', () => {
  const home = mkdtempSync(join(tmpdir(), 'lamina-rc-home-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  for (const file of ['.zshenv', '.tcshrc']) writeFileSync(join(home, file), 'echo RAN\n');
  const script = join(home, 'app.sh');
  writeFileSync(script, 'true\n');
  const run = (argv: string[]): string => stdoutOf(argv, inHome(home));

  // zsh 5.9 and tcsh 6.24 (Debian's csh) here.
  it.each([
    [['zsh', script], ['zsh startup']],
    [
      ['zsh', '-c', 'true'],
      ['zsh -c', 'zsh startup'],
    ],
    [['tcsh', script], ['tcsh startup']],
    [
      ['tcsh', '-c', 'true'],
      ['tcsh -c', 'tcsh startup'],
    ],
  ])('%j runs the startup file, reported as %j', (argv, paths) => {
    expect(run(argv)).toContain('RAN');
    expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(paths);
  });

  it('-f skips it: nothing reported', () => {
    for (const argv of [
      ['zsh', '-f', script],
      ['zsh', '--no-rcs', script],
      ['tcsh', '-f', script],
    ]) {
      expect(run(argv)).not.toContain('RAN');
      expect(configArgFindings({ entrypoint: argv })).toEqual([]);
    }
  });
});

describe("configArgFindings: R's startup files", () => {
  // R's Startup documentation (R is not installed here): R and Rscript read the environ files,
  // then run Rprofile.site and the user's .Rprofile, R code, before the script; --vanilla
  // reads none, nor --no-environ, --no-site-file and --no-init-file together; R restores the
  // working directory's .RData (its .First runs) unless --no-restore, which Rscript implies.
  it.each([
    [['Rscript', '/var/task/app.R'], ['Rscript startup']],
    [['Rscript', '--no-init-file', 'app.R'], ['Rscript startup']],
    [['Rscript', '--no-site-file', '--no-environ', 'app.R'], ['Rscript startup']],
    [
      ['Rscript', '-e', 'x'],
      ['Rscript -e', 'Rscript startup'],
    ],
    [['R', '--no-echo', '-f', 'app.R'], ['R startup']],
    [['R', '--no-environ', '--no-site-file', '--no-init-file', '-f', 'app.R'], ['R startup']],
    [
      ['sh', '-c', 'exec Rscript app.R'],
      ['sh -c', 'Rscript startup'],
    ],
  ])('%j is reported as %j', (entrypoint, paths) => {
    expect(configArgFindings({ entrypoint }).map((f) => f.path)).toEqual(paths);
  });

  it('--vanilla, or each file turned off, reads none: the script alone', () => {
    for (const entrypoint of [
      ['Rscript', '--vanilla', '/var/task/app.R'],
      ['Rscript', '--no-environ', '--no-site-file', '--no-init-file', 'app.R'],
      ['R', '--vanilla', '-f', 'app.R'],
      ['R', '--no-restore', '--no-environ', '--no-site-file', '--no-init-file', '-f', 'app.R'],
      // After the script the words are its own.
      ['Rscript', '--vanilla', 'app.R', '--no-init-file'],
    ]) {
      expect(configArgFindings({ entrypoint })).toEqual([]);
      expect(interpreterScripts({ entrypoint }).length).toBe(1);
    }
  });

  it("R's -f and --file name its script, read as executed", () => {
    for (const entrypoint of [
      ['R', '--vanilla', '-f', '/usr/share/doc/x/notes.txt'],
      ['R', '--vanilla', '-f/usr/share/doc/x/notes.txt'],
      ['R', '--vanilla', '--file=/usr/share/doc/x/notes.txt'],
      ['R', '--vanilla', '--file', '/usr/share/doc/x/notes.txt'],
    ])
      expect(interpreterScripts({ entrypoint })).toEqual(['/usr/share/doc/x/notes.txt']);
  });

  it("R's variables naming its startup files and libraries are loader variables", () => {
    expect(
      configEnvFindings([
        'R_PROFILE_USER=/usr/share/doc/x/profile',
        'R_PROFILE=/etc/p',
        'R_ENVIRON_USER=/e',
        'R_LIBS=/srv/lib',
        'R_DEFAULT_PACKAGES=evil',
      ]).map((f) => f.path)
    ).toEqual(['R_PROFILE_USER', 'R_PROFILE', 'R_ENVIRON_USER', 'R_LIBS', 'R_DEFAULT_PACKAGES']);
  });
});

describe('interpreterScripts', () => {
  it.each([
    [['python3', '/usr/share/doc/x/readme.txt', '-c', 'x'], ['/usr/share/doc/x/readme.txt']],
    [['node', '--title', 'x', 'app.js'], ['app.js']],
    [['/usr/bin/env', 'ruby', '-w', 'lib/app.rb'], ['lib/app.rb']],
    [['sh', '-e', '--', 'run.sh'], ['run.sh']],
    [['python3', '-c', 'x', 'y.py'], []],
    [['python3', '-m', 'awslambdaric', 'app.handler'], []],
    [['sh', '-c', 'x', 'y.sh'], []],
    [['java', '-jar', 'app.jar'], []],
    [['/lambda-entrypoint.sh', 'app.handler'], []],
  ])('%j runs %j as a script', (entrypoint, scripts) => {
    expect(interpreterScripts({ entrypoint })).toEqual(scripts);
  });

  it("knows an interpreter by the names the image's links give it", () => {
    const names = (word: string): string[] => (word === 'py' ? ['python3.11'] : []);
    expect(interpreterScripts({ entrypoint: ['py', 'x.txt'] }, { names })).toEqual(['x.txt']);
  });
});

describe("configArgFindings: a loader variable in an option's value", () => {
  it('strace -ELD_PRELOAD= and --env= preload for its command (strace here): reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lamina-strace-'));
    try {
      const lib = oddLibrary(dir, 'evil.dat');
      const env = { ...process.env, LD_DEBUG: 'files' };
      for (const option of [`-ELD_PRELOAD=${lib}`, `--env=LD_PRELOAD=${lib}`]) {
        const argv = ['strace', '-f', '-o', '/dev/null', option, '/bin/true'];
        expect(spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' }).stderr).toContain(
          `file=${lib}`
        );
        expect(configArgFindings({ entrypoint: argv }).map((f) => f.path)).toEqual(['LD_PRELOAD']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports nothing for an option whose value sets nothing a loader reads', () => {
    expect(configArgFindings({ entrypoint: ['app', '--mode=fast', '-DX=1', '--a=b=c'] })).toEqual(
      []
    );
  });
});
