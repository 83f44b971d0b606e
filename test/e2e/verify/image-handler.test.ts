/**
 * `lamina verify IMAGE` where the image's command is the Handler an AWS base image's
 * `/lambda-entrypoint.sh` hands the runtime: `/usr/share/doc/x.handler` makes the Node.js runtime
 * load `/usr/share/doc/x.js` (documentation to every package manager and to lamina), and
 * `child_process.execSync` runs each event as a shell command. Before, both images passed
 * `inventory:complete`; now each is an `ENV_LOADER` gap, allowed only by the Handler's value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dir,
  file,
  verifyImageRef,
  writeImageLayout,
  writeInventoryPolicy,
} from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-image-handler-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LAYER = [
  dir('usr'),
  dir('usr/share'),
  dir('usr/share/doc'),
  file(
    'usr/share/doc/x.js',
    'exports.handler = async () => require("child_process").execSync("id");'
  ),
  dir('var'),
  dir('var/task'),
  file('var/task/index.js', 'exports.handler = async () => "ok";'),
];

const POLICY = writeInventoryPolicy(tmp, 'images');

async function verify(
  cmd: string[],
  policy = POLICY,
  entrypoint = ['/lambda-entrypoint.sh'],
  env: string[] = []
) {
  const ref = writeImageLayout(tmp, [LAYER], {
    Entrypoint: entrypoint,
    Cmd: cmd,
    Env: ['LAMBDA_TASK_ROOT=/var/task', ...env],
    WorkingDir: '/var/task',
  });
  return verifyImageRef(ref, policy, join(tmp, 'cache'));
}

describe('verify IMAGE: the Handler its command passes to the runtime', () => {
  it("the control: the function's own index.handler passes", async () => {
    const r = await verify(['index.handler']);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });

  it.each([
    ['/usr/share/doc/x.handler', '/usr/share/doc/x (as is, .js, .mjs or .cjs)'],
    ['child_process.execSync', 'built-in module child_process'],
  ])('%s fails inventory:complete', async (handler, loads) => {
    const r = await verify([handler]);
    expect(r.code).toBe(1);
    const check = r.check('inventory:complete');
    expect(check?.detail).toContain(`ENV_LOADER ${handler}.`);
    // The evidence says what the runtime loads.
    expect(JSON.stringify(check?.evidence)).toContain(loads);
  });

  it("a runtime started without the entry script reads the Env's _HANDLER: checked too", async () => {
    const bootstrap = ['/var/runtime/bootstrap'];
    const own = await verify([], POLICY, bootstrap, ['_HANDLER=index.handler']);
    expect(own.check('inventory:complete')?.outcome).toBe('pass');
    const r = await verify([], POLICY, bootstrap, ['_HANDLER=child_process.execSync']);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER child_process.execSync');
  });

  it('npx aws-lambda-ric the image does not hold is fetched at start: ENV_LOADER', async () => {
    const npx = ['/usr/local/bin/npx', 'aws-lambda-ric'];
    const r = await verify(['index.handler'], POLICY, npx);
    expect(r.code).toBe(1);
    expect(r.check('inventory:complete')?.detail).toContain('ENV_LOADER npx aws-lambda-ric');
  });

  it('an allowance by the Handler, with a reason, passes it', async () => {
    const policy = join(tmp, 'allow.yaml');
    writeFileSync(
      policy,
      `version: 1
default: deny
images:
  - match: { repository: '**' }
    packages: { deny: [{ purl: 'pkg:deb/debian/netcat-openbsd' }] }
    inventory:
      allow:
        - { code: ENV_LOADER, paths: [/usr/share/doc/x.handler], reason: reviewed }
`
    );
    const r = await verify(['/usr/share/doc/x.handler'], policy);
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });
});
