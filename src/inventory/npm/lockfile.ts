import { stripBom } from '../json.js';
import type { HashAlgorithm } from '../../model/package.js';

/** What lamina takes from one lockfile entry. */
export interface LockEntry {
  version?: string;
  integrity?: string;
  /** Names of regular and optional dependencies. */
  dependencies: string[];
  optionalDependencies: string[];
  peerDependencies: string[];
}

/**
 * Entries of an npm lockfile (`package-lock.json`, `npm-shrinkwrap.json` or the
 * hidden `node_modules/.package-lock.json`), keyed by install path relative to
 * the directory holding `node_modules` (`node_modules/a/node_modules/b`); the
 * root project is `""`. Reads the v2/v3 `packages` map, and the v1 nested
 * `dependencies` tree when there is no `packages` map.
 * https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json
 * @throws Error when the text is not a JSON object.
 */
export function parseLockfile(text: string): Map<string, LockEntry> {
  const doc: unknown = JSON.parse(stripBom(text));
  if (!isObject(doc)) throw new Error('lockfile is not a JSON object');
  const out = new Map<string, LockEntry>();
  if (isObject(doc.packages)) {
    for (const [key, v] of Object.entries(doc.packages)) {
      // Links (workspaces, `npm link`) point elsewhere; the target has its own entry.
      if (!isObject(v) || v.link === true) continue;
      out.set(key, {
        version: str(v.version),
        integrity: str(v.integrity),
        dependencies: keys(v.dependencies),
        optionalDependencies: keys(v.optionalDependencies),
        peerDependencies: keys(v.peerDependencies),
      });
    }
    return out;
  }
  if (isObject(doc.dependencies)) walkV1(doc.dependencies, '', out);
  return out;
}

// lockfileVersion 1: { name: { version, integrity, requires: {dep: range}, dependencies: {nested} } }
function walkV1(deps: Record<string, unknown>, prefix: string, out: Map<string, LockEntry>): void {
  for (const [name, v] of Object.entries(deps)) {
    if (!isObject(v)) continue;
    const key = `${prefix}node_modules/${name}`;
    out.set(key, {
      version: str(v.version),
      integrity: str(v.integrity),
      dependencies: keys(v.requires),
      optionalDependencies: [],
      peerDependencies: [],
    });
    if (isObject(v.dependencies)) walkV1(v.dependencies, `${key}/`, out);
  }
}

const SRI_ALGORITHMS: Record<string, [HashAlgorithm, number]> = {
  sha1: ['SHA-1', 20],
  sha256: ['SHA-256', 32],
  sha384: ['SHA-384', 48],
  sha512: ['SHA-512', 64],
};

/**
 * Hex digests from a Subresource Integrity string (`sha512-<base64>`, possibly
 * several separated by spaces). Unknown algorithms and malformed digests are dropped.
 * https://www.w3.org/TR/SRI/#the-integrity-attribute
 */
export function integrityHashes(integrity: string): Partial<Record<HashAlgorithm, string>> {
  const out: Partial<Record<HashAlgorithm, string>> = {};
  for (const token of integrity.trim().split(/\s+/)) {
    const m = /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})(?:\?.*)?$/.exec(token);
    const alg = m?.[1] ? SRI_ALGORITHMS[m[1]] : undefined;
    if (!m?.[2] || !alg) continue;
    const bytes = Buffer.from(m[2], 'base64');
    if (bytes.length === alg[1]) out[alg[0]] = bytes.toString('hex');
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function keys(v: unknown): string[] {
  return isObject(v) ? Object.keys(v) : [];
}
