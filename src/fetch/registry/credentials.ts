/**
 * Registry credentials from files in Docker's `config.json` format
 * (https://docs.docker.com/reference/cli/docker/#docker-cli-configuration-file-configjson-properties):
 * `auths` entries with `auth` (base64 of `user:password`) or `username` and
 * `password`. Each credential is bound to the exact `host[:port]` it is listed
 * under and is only ever offered to that host.
 *
 * Credential helpers (`credsStore`, `credHelpers`) are *not* run: doing so
 * executes a program named by a configuration file, with the registry host on
 * its stdin, from a tool whose job is to read untrusted artifacts. A host
 * whose credentials live only in a helper is remembered so that the error
 * says where they are and how to hand them over (`--registry-auth FILE`).
 * `identitytoken` (OAuth refresh tokens) is not used either.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readBounded } from '../../util/fs.js';
import { ImageError, printable } from '../image/errors.js';

export interface BasicCredential {
  username: string;
  password: string;
}

/** Where a credential came from, for messages (never the secret itself). */
export interface CredentialEntry extends BasicCredential {
  origin: string;
  /** From a file the user named (`--registry-auth`), which wins over an ECR token. */
  explicit: boolean;
}

/** Lookup by registry host. */
export interface CredentialStore {
  /** The credential listed for exactly this `host[:port]`, if any. */
  get(host: string): CredentialEntry | undefined;
  /** The credential helper configured for the host, if its credentials are only there. */
  helperFor(host: string): string | undefined;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** Docker Hub's historical config keys, and its API host. */
const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/**
 * `https://host:port/v1/` → `host:port`, lowercased. Docker writes keys with
 * and without scheme and path.
 */
export function normalizeRegistryKey(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  k = k.replace(/\/.*$/, '');
  return DOCKER_HUB_ALIASES.includes(k) ? 'docker.io' : k;
}

/** A store holding nothing: anonymous access only. */
export const NO_CREDENTIALS: CredentialStore = Object.freeze({
  get: () => undefined,
  helperFor: () => undefined,
});

/** Parses one config.json text. Malformed entries are refused (exit 2), not skipped. */
export function parseDockerConfig(text: string, origin: string, explicit = false): CredentialStore {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ImageError({ code: 'BAD_CREDENTIALS', message: `${origin} is not valid JSON` });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ImageError({ code: 'BAD_CREDENTIALS', message: `${origin} is not a JSON object` });
  }
  const o = doc as Record<string, unknown>;
  const creds = new Map<string, CredentialEntry>();
  const auths = o['auths'];
  if (auths !== undefined) {
    if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) {
      throw new ImageError({
        code: 'BAD_CREDENTIALS',
        message: `${origin}: "auths" is not an object`,
      });
    }
    for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
      const c = parseAuthEntry(value, `${origin} auths["${printable(key, 80)}"]`);
      if (c) creds.set(normalizeRegistryKey(key), { ...c, origin, explicit });
    }
  }
  const helpers = new Map<string, string>();
  const credHelpers = o['credHelpers'];
  if (typeof credHelpers === 'object' && credHelpers !== null) {
    for (const [key, value] of Object.entries(credHelpers as Record<string, unknown>)) {
      if (typeof value === 'string') helpers.set(normalizeRegistryKey(key), value);
    }
  }
  const credsStore = typeof o['credsStore'] === 'string' ? o['credsStore'] : undefined;
  return {
    get: (host) => creds.get(normalizeRegistryKey(host)),
    helperFor: (host) => {
      const h = normalizeRegistryKey(host);
      if (creds.has(h)) return undefined;
      return helpers.get(h) ?? credsStore;
    },
  };
}

function parseAuthEntry(value: unknown, what: string): BasicCredential | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e['auth'] === 'string' && e['auth'] !== '') {
    const decoded = Buffer.from(e['auth'], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new ImageError({
        code: 'BAD_CREDENTIALS',
        message: `${what}: "auth" is not base64 of user:password`,
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof e['username'] === 'string' && typeof e['password'] === 'string') {
    return { username: e['username'], password: e['password'] };
  }
  // An entry with only identitytoken, or empty (docker login with a helper): no usable credential.
  return undefined;
}

/** Reads a config file; a missing default file is an empty store, a missing explicit one an error. */
export async function loadDockerConfig(path: string, explicit: boolean): Promise<CredentialStore> {
  let text: string;
  try {
    // Bounded as it is read: a size from stat says nothing for a device or a FIFO.
    const buf = await readBounded(path, MAX_CONFIG_BYTES);
    if (buf === undefined) {
      throw new ImageError({
        code: 'BAD_CREDENTIALS',
        message: `${path} is larger than ${MAX_CONFIG_BYTES} bytes`,
      });
    }
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return NO_CREDENTIALS;
    throw new ImageError({
      code: 'BAD_CREDENTIALS',
      message: `cannot read registry credentials ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    });
  }
  return parseDockerConfig(text, path, explicit);
}

/** Docker's default config path: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env['DOCKER_CONFIG'];
  return join(dir && dir.length > 0 ? dir : join(homedir(), '.docker'), 'config.json');
}

/** The first store that knows a host wins (an explicit `--registry-auth` file before Docker's). */
export function chainCredentials(...stores: CredentialStore[]): CredentialStore {
  return {
    get: (host) => {
      for (const s of stores) {
        const c = s.get(host);
        if (c) return c;
      }
      return undefined;
    },
    helperFor: (host) => {
      for (const s of stores) if (s.get(host)) return undefined;
      for (const s of stores) {
        const h = s.helperFor(host);
        if (h) return h;
      }
      return undefined;
    },
  };
}
