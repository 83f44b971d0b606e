/**
 * Runs one sigstore-conformance style case directory through `lamina verify-bundle`, building
 * the argv exactly as the conformance suite's `test_verify` does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

export const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** Case directory names under `root`, sorted. */
export function caseNames(root: string): string[] {
  return readdirSync(root)
    .filter((n) => statSync(join(root, n)).isDirectory())
    .sort();
}

/**
 * Builds the argv for a case; `defaultArtifact` is the suite's shared `a.txt`.
 * `mode` picks the artifact path or `sha256:<hex>`.
 */
export function caseArgv(dir: string, defaultArtifact: string, mode: 'path' | 'digest'): string[] {
  const file = (f: string): string | undefined =>
    existsSync(join(dir, f)) ? join(dir, f) : undefined;
  const text = (f: string): string | undefined => {
    const p = file(f);
    return p === undefined ? undefined : readFileSync(p, 'utf8').trim();
  };
  const argv = ['--bundle', join(dir, 'bundle.sigstore.json')];
  const key = file('key.pub');
  if (key !== undefined) argv.push('--key', key);
  else
    argv.push(
      '--certificate-identity',
      text('identity') ?? DEFAULT_IDENTITY,
      '--certificate-oidc-issuer',
      text('issuer') ?? DEFAULT_ISSUER
    );
  const tr = file('trusted_root.json');
  if (tr !== undefined) argv.push('--trusted-root', tr);
  const artifact = file('artifact') ?? defaultArtifact;
  argv.push(
    mode === 'path'
      ? artifact
      : `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}`
  );
  return argv;
}

/** Runs a case; returns the exit code and stderr. */
export async function runCase(
  dir: string,
  defaultArtifact: string,
  mode: 'path' | 'digest'
): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await runCli(['verify-bundle', ...caseArgv(dir, defaultArtifact, mode)]);
  return { code, stderr };
}
