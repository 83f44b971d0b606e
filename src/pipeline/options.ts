/** Options every use case shares, and their defaults. */
import { resolve } from 'node:path';
import type { AwsOptions } from '../fetch/aws/clients.js';
import { defaultCacheDir } from '../fetch/cache.js';
import { DEFAULT_LIMITS, type Limits } from '../unpack/source.js';
import type { LoadedPolicy } from '../verify/policy/types.js';

/** How a use case reaches AWS. */
export interface AwsAccessOptions {
  /** SDK client settings: endpoint, profile, credentials, attempts per call. */
  aws?: AwsOptions;
  /**
   * The content cache of layer zips (default `$XDG_CACHE_HOME/lamina` or `~/.cache/lamina`).
   */
  cacheDir?: string;
  /**
   * Hash each cached layer zip when it is looked up (a changed one is fetched again), instead of
   * trusting it by its name and size until it is opened, which fails on a changed one.
   */
  rehashCache?: boolean;
}

/** Bounds for reading untrusted archives. */
export interface LimitOptions {
  /** Any limit not given keeps its default (`DEFAULT_LIMITS`). */
  limits?: Partial<Limits>;
}

/** A policy file's path, or a policy already loaded with `loadPolicy`/`loadPolicyFile`. */
export type PolicyInput = string | LoadedPolicy;

/** The archive limits with defaults filled in. */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  const out: Limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(limits ?? {}) as [keyof Limits, number | undefined][])
    if (v !== undefined) out[k] = v;
  return out;
}

/** The cache directory, absolute. */
export function resolveCacheDir(dir: string | undefined): string {
  return resolve(dir ?? defaultCacheDir());
}
