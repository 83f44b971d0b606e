import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageHandlerFindings, imageHandlerStart } from './image-handler.js';

const BASE = ['/lambda-entrypoint.sh'];
const findings = (entrypoint: string[], cmd: string[], workingDir?: string) =>
  imageHandlerFindings({ entrypoint, cmd }, '/var/task', workingDir, 'the image config');

describe('imageHandlerStart', () => {
  it("a base image's one argument is the Handler of whichever runtime it has", () => {
    expect(
      imageHandlerStart({ entrypoint: BASE, cmd: ['app.handler'] }, '/var/task', '/x')
    ).toEqual({
      handler: 'app.handler',
      runtimes: ['nodejs', 'python', 'ruby', 'java'],
      root: '/var/task',
    });
    expect(imageHandlerStart({ entrypoint: BASE }, '/var/task', undefined)).toBeUndefined();
  });

  it('a runtime interface client started by name takes the next word', () => {
    expect(
      imageHandlerStart(
        { entrypoint: ['/usr/local/bin/npx', 'aws-lambda-ric'], cmd: ['app.handler'] },
        '/var/task',
        '/function'
      )
    ).toEqual({ handler: 'app.handler', runtimes: ['nodejs'], root: '/function' });
    expect(
      imageHandlerStart(
        { entrypoint: ['/usr/local/bin/python', '-m', 'awslambdaric'], cmd: ['app.handler'] },
        '/var/task',
        undefined
      )?.runtimes
    ).toEqual(['python']);
    expect(
      imageHandlerStart(
        {
          entrypoint: [
            'java',
            '-cp',
            './*',
            'com.amazonaws.services.lambda.runtime.api.client.AWSLambda',
          ],
          cmd: ['example.App::sayHello'],
        },
        '/var/task',
        undefined
      )
    ).toMatchObject({ handler: 'example.App::sayHello', runtimes: ['java'] });
    expect(
      imageHandlerStart({ entrypoint: ['/usr/bin/app'] }, '/var/task', undefined)
    ).toBeUndefined();
  });
});

describe('imageHandlerFindings', () => {
  it("passes a Handler of the function's own code", () => {
    expect(findings(BASE, ['index.handler'])).toEqual([]);
    expect(findings(BASE, ['/var/task/src/app.handler'])).toEqual([]);
    expect(findings(BASE, ['example.App::handleRequest'])).toEqual([]);
  });

  it('an absolute module root outside the task root is ENV_LOADER, the Handler its path', () => {
    expect(findings(BASE, ['/usr/share/doc/x.handler'])).toEqual([
      {
        code: 'ENV_LOADER',
        severity: 'error',
        path: '/usr/share/doc/x.handler',
        message:
          'the image config passes the Handler "/usr/share/doc/x.handler" to the runtime (Node.js loads /usr/share/doc/x (as is, .js, .mjs or .cjs), outside the function\'s directory /var/task; Ruby loads /usr/share/doc/x(.rb, .so), outside the function\'s directory /var/task): the runtime loads code no package accounts for',
      },
    ]);
  });

  it('a built-in, standard library or platform module is ENV_LOADER', () => {
    for (const h of ['child_process.execSync', 'cProfile.run', 'java.lang.System::load'])
      expect(findings(BASE, [h]).map((f) => f.path)).toEqual([h]);
  });

  it("the Node.js client resolves from the directory it starts in, not LAMBDA_TASK_ROOT's", () => {
    const npx = ['npx', 'aws-lambda-ric'];
    expect(findings(npx, ['/function/app.handler'], '/function')).toEqual([]);
    expect(findings(npx, ['/var/task/app.handler'], '/function')).toHaveLength(1);
  });
});

describe('imageHandlerStart: a start spelled as the kernel and the clients read it', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lamina-image-handler-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const run = (argv: string[], cwd?: string): string =>
    spawnSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      timeout: 10_000,
      ...(cwd ? { cwd } : {}),
    }).stdout;

  it.each([
    [['//lambda-entrypoint.sh'], undefined],
    [['/./lambda-entrypoint.sh'], undefined],
    [['./lambda-entrypoint.sh'], '/'],
    [['/usr/bin/env', 'A=1', '/lambda-entrypoint.sh'], undefined],
    [['/bin/sh', '/lambda-entrypoint.sh'], undefined],
  ])("%j runs the base image's entry point with the Handler", (entrypoint, workingDir) => {
    expect(
      imageHandlerStart({ entrypoint, cmd: ['child_process.execSync'] }, '/var/task', workingDir)
        ?.handler
    ).toBe('child_process.execSync');
  });

  it("a link to the base image's entry point is that entry point, as the image's links lead", () => {
    const realPath = (p: string) =>
      p === '/usr/local/bin/start' ? '/lambda-entrypoint.sh' : undefined;
    const run = { entrypoint: ['./start'], cmd: ['child_process.execSync'] };
    expect(imageHandlerStart(run, '/var/task', '/usr/local/bin', [], realPath)?.handler).toBe(
      'child_process.execSync'
    );
    expect(imageHandlerStart(run, '/var/task', '/usr/local/bin')).toBeUndefined();
  });

  it('the kernel runs a script by any spelling of its path, env and sh with its argument', () => {
    const script = join(tmp, 'entry.sh');
    writeFileSync(script, '#!/bin/sh\necho "handler=$1"\n', { mode: 0o755 });
    symlinkSync(script, join(tmp, 'start'));
    for (const argv of [
      [`/${script}`, 'H'],
      [`${tmp}/./entry.sh`, 'H'],
      [join(tmp, 'start'), 'H'],
      ['/usr/bin/env', 'A=1', script, 'H'],
      ['/bin/sh', script, 'H'],
    ])
      expect(run(argv)).toBe('handler=H\n');
    expect(run(['./entry.sh', 'H'], tmp)).toBe('handler=H\n');
  });

  it('python3 -mawslambdaric passes the next word to the client as -m awslambdaric does', () => {
    mkdirSync(join(tmp, 'awslambdaric'));
    writeFileSync(join(tmp, 'awslambdaric', '__init__.py'), '');
    writeFileSync(join(tmp, 'awslambdaric', '__main__.py'), 'import sys; print(sys.argv[1])\n');
    for (const m of [['-mawslambdaric'], ['-m', 'awslambdaric.__main__']]) {
      expect(run(['python3', ...m, 'cProfile.run'], tmp)).toBe('cProfile.run\n');
      expect(findings(['python3', ...m], ['cProfile.run']).map((f) => [f.code, f.path])).toEqual([
        ['ENV_LOADER', 'cProfile.run'],
      ]);
    }
  });

  it("the Ruby client's executable and npx with a version take the Handler too", () => {
    expect(findings(['aws_lambda_ric'], ['/usr/share/doc/x.handler'])[0]?.message).toContain(
      'Ruby loads /usr/share/doc/x'
    );
    expect(
      findings(['/usr/local/bin/npx', 'aws-lambda-ric@3'], ['child_process.execSync'])
    ).toEqual([expect.objectContaining({ code: 'ENV_LOADER', path: 'child_process.execSync' })]);
  });
});

describe('imageHandlerFindings: _HANDLER set for the runtime', () => {
  const bootstrap = ['/var/runtime/bootstrap'];

  it("the image config's Env sets the Handler a runtime started without the entry script reads", () => {
    const found = imageHandlerFindings({ entrypoint: bootstrap }, '/var/task', undefined, 'src', [
      '_HANDLER=child_process.execSync',
    ]);
    expect(found.map((f) => [f.code, f.path])).toEqual([['ENV_LOADER', 'child_process.execSync']]);
    expect(found[0]!.message).toMatch(/^the image config's Env \(_HANDLER\) passes/);
  });

  it('so does an assignment in the start, over Env', () => {
    const run = { entrypoint: ['/usr/bin/env', '_HANDLER=/usr/share/doc/x.handler', ...bootstrap] };
    expect(
      imageHandlerFindings(run, '/var/task', undefined, 'src', ['_HANDLER=index.handler']).map(
        (f) => f.path
      )
    ).toEqual(['/usr/share/doc/x.handler']);
  });

  it("the entry script's argument replaces it; the function's own Handler passes", () => {
    const env = ['_HANDLER=child_process.execSync'];
    expect(
      imageHandlerFindings(
        { entrypoint: BASE, cmd: ['index.handler'] },
        '/var/task',
        undefined,
        'src',
        env
      )
    ).toEqual([]);
    expect(
      imageHandlerFindings({ entrypoint: bootstrap }, '/var/task', undefined, 'src', [
        '_HANDLER=index.handler',
      ])
    ).toEqual([]);
  });
});
