import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built command, as `npm run aws-local` runs it (`npm test` builds it first).
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ESTATE = fileURLToPath(new URL('../../testdata/estates/demo.yaml', import.meta.url));

const run = (args: string[]) =>
  spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('aws-local command line', () => {
  it('says what is wrong with a command line on one line, with the usage (exit 2)', () => {
    for (const [args, message] of [
      [['--port', '1'], '--estate FILE is required'],
      [['--estate', ESTATE, '--port', 'abc'], '--port: want a whole number from 0 to 65535'],
      [['--estate', ESTATE, '--port', '70000'], '--port: want a whole number from 0 to 65535'],
      [['--estate', ESTATE, '--url-expires', '0'], '--url-expires: want a whole number'],
      [['--estate', ESTATE, 'extra'], "Unexpected argument 'extra'"],
      [['--bogus'], "Unknown option '--bogus'"],
      [['--estate', '/nonexistent/estate.yaml'], 'ESTATE_UNREADABLE'],
    ] as const) {
      const r = run([...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: aws-local --estate FILE/);
  });

  it('says on one line that it cannot listen on a port in use (exit 3)', async () => {
    const taken = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as AddressInfo;
    try {
      const child = spawn(process.execPath, [MAIN, '--estate', ESTATE, '--port', String(port)]);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect(code).toBe(3);
      expect(stderr).toContain('EADDRINUSE');
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
    }
  });
});
