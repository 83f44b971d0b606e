/**
 * Test helpers for the OS catalogers: the repository's vectors and the real
 * tools (rpm, dpkg-query) used as oracles. Test-only: nothing in src imports it.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VECTORS = fileURLToPath(new URL('../../../testdata/images/vectors/', import.meta.url));
export const IMAGE_FIXTURES = fileURLToPath(new URL('../../../testdata/images/', import.meta.url));

/** The format rpm -qa prints for comparisons: name|epoch|version|release|arch|sourcerpm|license. */
export const RPM_QF =
  '%{NAME}|%|EPOCH?{%{EPOCH}}:{}||%{VERSION}|%{RELEASE}|%|ARCH?{%{ARCH}}:{}||%|SOURCERPM?{%{SOURCERPM}}:{}||%{LICENSE}\\n';

/**
 * `rpm -qa` on a copy of a database file (rpm writes lock and WAL files next
 * to it), gpg-pubkey keys left out, sorted.
 */
export function rpmQa(dbFile: string, backend: 'sqlite' | 'bdb_ro'): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-rpmdb-'));
  try {
    mkdirSync(dir, { recursive: true });
    copyFileSync(dbFile, join(dir, basename(dbFile)));
    const out = execFileSync(
      'rpm',
      ['--define', `_db_backend ${backend}`, '--dbpath', dir, '-qa', '--qf', RPM_QF],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
    );
    return out
      .split('\n')
      .filter((l) => l && !l.startsWith('gpg-pubkey|'))
      .sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
