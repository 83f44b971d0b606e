import { describe, expect, it } from 'vitest';
import { configArgFindings, configEnvFindings } from './config-env.js';

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
      ['ENV_LOADER', 'LD_PRELOAD'],
      ['ENV_LOADER', 'NODE_OPTIONS'],
      ['ENV_LOADER', 'PYTHONPATH'],
      ['ENV_LOADER', '--import'],
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
});
