/**
 * Every command's --help names every flag the command's table defines and every environment
 * variable it reads: derived from the tables, so a flag added without help fails here.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ENV_DOC } from './command.js';
import { COMMANDS } from './main.js';

async function help(name: string): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const command = await COMMANDS[name]!();
  expect(await command(['--help'], { stdout: out, stderr: out, isTty: false })).toBe(0);
  return text;
}

describe('--help', () => {
  for (const name of Object.keys(COMMANDS)) {
    it(`${name}: lists every flag and the environment it reads`, async () => {
      const command = await COMMANDS[name]!();
      const text = await help(name);
      for (const [flag, def] of Object.entries(command.spec.flags)) {
        expect(text, `--${flag}`).toMatch(new RegExp(`--${flag}(?![\\w-])`));
        if (def.short !== undefined) expect(text, `-${def.short}`).toContain(`-${def.short}`);
      }
      for (const quiet of ['--quiet', '--help']) expect(text).toContain(quiet);
      expect(command.spec.env.length).toBeGreaterThan(0);
      const env = text.slice(text.indexOf('\nenvironment:\n'));
      for (const v of command.spec.env) {
        expect(env, v).toContain(v);
        expect(env, v).toContain(ENV_DOC[v]);
      }
      for (const line of env.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    });
  }

  it('AWS commands name the AWS variables; local-only commands do not', async () => {
    for (const name of ['sbom', 'scan', 'verify', 'pin', 'diff'])
      expect(await help(name)).toMatch(/AWS_PROFILE[\s\S]*AWS_ENDPOINT_URL_<SERVICE>/);
    for (const name of ['verify-bundle', 'version'])
      expect(await help(name)).not.toContain('AWS_PROFILE');
  });

  it('commands that start again with fewer malloc arenas name MALLOC_ARENA_MAX', async () => {
    for (const name of ['scan', 'verify', 'merge', 'changes', 'diff'])
      expect(await help(name), name).toContain('MALLOC_ARENA_MAX');
    expect(await help('sbom')).not.toContain('MALLOC_ARENA_MAX');
  });
});
