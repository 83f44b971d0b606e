import { describe, expect, it } from 'vitest';
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
