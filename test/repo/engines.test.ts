/**
 * `npm ci` prints an engine warning (EBADENGINE) for every installed package whose `engines.node`
 * does not accept the running Node. README promises none on a supported version, so every package
 * in the lock file must accept the lowest release of each supported line and the newest tested.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../e2e/helpers/cli.js';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** The lowest release of each supported line, and the running Node (CI runs 20 and 24). */
const BOUNDARIES = ['20.19.0', '22.13.0', '24.0.0', process.versions.node];

function refusing(version: string): string[] {
  const out: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (path === '' || range === undefined) continue;
    if (!semver.satisfies(version, range))
      out.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} wants ${range}`);
  }
  return out;
}

describe('supported Node versions', () => {
  it('package.json engines accepts exactly the supported lines', () => {
    const range = pkg.engines.node;
    for (const v of BOUNDARIES) expect(semver.satisfies(v, range), v).toBe(true);
    for (const v of ['18.20.0', '20.18.0', '21.7.0', '22.12.0', '23.11.0'])
      expect(semver.satisfies(v, range), v).toBe(false);
  });

  it.each(BOUNDARIES)('every locked package accepts Node %s', (version) => {
    expect(refusing(version)).toEqual([]);
  });
});
