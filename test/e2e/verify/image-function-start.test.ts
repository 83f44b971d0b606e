/**
 * A container-image function's ImageConfig replaces the image config's entry point or command,
 * not both: the function's `EntryPoint: [python3]` with the image's `Cmd: [-c, CODE]` starts
 * `python3 -c CODE`, inline code neither the image config (`/lambda-entrypoint.sh -c CODE`) nor
 * the function's settings alone show. The inventory of the image as that function starts it
 * reads the start as a whole.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { effectiveRunConfig } from '../../../src/model/function-image-config.js';
import { inventoryImage } from '../../../src/pipeline/image.js';
import { dir, file, writeImageLayout } from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-fn-start-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CODE = 'print("RAN")';
const LAYER = [dir('var'), dir('var/task'), file('var/task/app.py', 'def handler(e, c): pass\n')];
const CONFIG = {
  Entrypoint: ['/lambda-entrypoint.sh'],
  Cmd: ['-c', CODE],
  WorkingDir: '/var/task',
};

async function envLoaders(functionConfig?: { entryPoint?: string[]; command?: string[] }) {
  const ref = writeImageLayout(tmp, [LAYER], CONFIG);
  const inv = await inventoryImage(ref, functionConfig ? { functionConfig } : {});
  return inv.inventory.findings.filter((f) => f.code === 'ENV_LOADER').map((f) => f.path);
}

describe("a function's EntryPoint with the image's Cmd", () => {
  it('the control: the image as its config starts it runs no inline code', async () => {
    expect(await envLoaders()).toEqual([]);
  });

  it("EntryPoint [python3] over Cmd [-c, CODE] runs CODE: ENV_LOADER 'python3 -c'", async () => {
    const fn = { entryPoint: ['python3'] };
    const start = effectiveRunConfig({ entrypoint: CONFIG.Entrypoint, cmd: CONFIG.Cmd }, fn);
    const argv = [...(start.entrypoint ?? []), ...(start.cmd ?? [])];
    expect(argv).toEqual(['python3', '-c', CODE]);
    const ran = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
    expect(ran.stdout).toContain('RAN');
    expect(await envLoaders(fn)).toEqual(['python3 -c']);
  });

  it('a Command of its own replaces the image Cmd: nothing inline runs', async () => {
    expect(await envLoaders({ entryPoint: ['python3'], command: ['app.py'] })).toEqual([]);
  });
});
