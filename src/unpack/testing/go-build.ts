/**
 * Builds the Go programs of the differential tests (readers/*.go: Go's archive/zip and
 * archive/tar as oracles, a zip writer). Test-only.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Where the readers' sources are. */
export const READERS_DIR = join(import.meta.dirname, 'readers');

/**
 * `go build -o out readers/src`, offline and self-contained: no toolchain download, no module
 * proxy, a cache in `work` when the environment gives none (no $HOME).
 * @throws Error when go cannot run or the build fails
 */
export function buildGoProgram(src: string, out: string, work: string): void {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LC_ALL: 'C.UTF-8',
    LANG: 'C.UTF-8',
    GOFLAGS: '',
    GOPROXY: 'off',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  if (!env['GOCACHE'] && !env['HOME'] && !env['XDG_CACHE_HOME'])
    env['GOCACHE'] = join(work, 'gocache');
  const r = spawnSync('go', ['build', '-o', out, src], {
    cwd: READERS_DIR,
    env,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.error) throw new Error(`go failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`go build ${src} failed: ${r.stderr}`);
}
