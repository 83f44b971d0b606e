/**
 * Platforms (`os/arch[/variant]`) and choosing an index entry for one. Pure.
 * Normalisation follows containerd's `platforms` package
 * (https://github.com/containerd/platforms): `x86_64` is `amd64`, `aarch64`
 * is `arm64`, and arm64 without a variant is `v8`, arm without one is `v7`.
 */
import type { Descriptor, ImageConfig, Platform } from '../../model/oci.js';
import { ImageError, printable } from './errors.js';

/** lamina's default: what Lambda runs when a function names no architecture. */
export const DEFAULT_PLATFORM: Readonly<Platform> = Object.freeze({
  os: 'linux',
  architecture: 'amd64',
});

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
};

/** Applies the aliases and default variants; never throws. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  if (p.architecture.toLowerCase() === 'armhf') variant ??= 'v7';
  if (p.architecture.toLowerCase() === 'armel') variant ??= 'v6';
  if (architecture === 'arm64' && (variant === undefined || variant === '' || variant === '8')) {
    variant = 'v8';
  }
  if (architecture === 'arm' && (variant === undefined || variant === '')) variant = 'v7';
  if (variant === '') variant = undefined;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `os/arch[/variant]` as written on the command line and in error messages. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Parses `--platform os/arch[/variant]`. */
export function parsePlatform(text: string): Platform {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((s) => !/^[A-Za-z0-9_.-]+$/.test(s))) {
    throw new ImageError({
      code: 'BAD_PLATFORM',
      message: `platform "${printable(text, 60)}" is not os/arch[/variant] (e.g. linux/amd64, linux/arm64)`,
    });
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

/** Lambda's `Architectures` value as a platform. */
export function platformForLambdaArchitecture(arch: 'x86_64' | 'arm64'): Platform {
  return normalizePlatform({ os: 'linux', architecture: arch });
}

/**
 * True when an image whose config says `have` satisfies a request for `want`.
 * A request without a variant accepts any variant.
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  return (
    w.os === h.os &&
    w.architecture === h.architecture &&
    (w.variant === undefined || w.variant === h.variant)
  );
}

/**
 * Index entries that are not images of a platform: buildx attestation
 * manifests (annotation `vnd.docker.reference.type: attestation-manifest`) and
 * `unknown/unknown` entries.
 */
export function isAttestationEntry(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/**
 * Choose the one entry of an index for `want`. Entries without a platform,
 * attestations and unknown/unknown are skipped. An exact variant match is
 * preferred over a variant-less request matching variants; several different
 * digests at the same rank are refused (`PLATFORM_AMBIGUOUS`) rather than
 * picked by order, and no match is `PLATFORM_NOT_FOUND` listing what exists.
 */
export function selectPlatformEntry(
  entries: readonly Descriptor[],
  want: Platform,
  what: string
): Descriptor {
  const w = normalizePlatform(want);
  const candidates = entries.filter((d) => d.platform && !isAttestationEntry(d));
  const matching = candidates.filter((d) => platformMatches(w, d.platform!));
  // Rank: an entry whose normalised variant equals the request's (including
  // both absent) beats one that only matches because the request has none.
  const exact = matching.filter((d) => normalizePlatform(d.platform!).variant === w.variant);
  const pool = exact.length > 0 ? exact : matching;
  const digests = [...new Set(pool.map((d) => d.digest))];
  if (digests.length === 1) return pool[0]!;
  if (digests.length > 1) {
    throw new ImageError({
      code: 'PLATFORM_AMBIGUOUS',
      message: `${what} has ${digests.length} different manifests for ${formatPlatform(w)}: ${pool
        // The index's own platform: a variant can be any string (a newline, an escape).
        .map((d) => `${printable(formatPlatform(d.platform!), 60)} ${d.digest}`)
        .join(', ')}`,
    });
  }
  const available = [...new Set(candidates.map((d) => formatPlatform(d.platform!)))].sort();
  throw new ImageError({
    code: 'PLATFORM_NOT_FOUND',
    message: `${what} has no manifest for ${formatPlatform(w)}; available: ${
      available.length > 0 ? available.map((p) => printable(p, 60)).join(', ') : 'none'
    }`,
  });
}

/**
 * The config must agree with the index entry that led to it and with the
 * platform asked for: an index that lists an arm64 image as amd64 is lying to
 * someone.
 */
export function checkPlatform(
  config: ImageConfig,
  via: Descriptor | undefined,
  wanted: Platform | undefined,
  name: string
): void {
  const have = config.platform;
  if (via?.platform && !platformMatches(via.platform, have)) {
    throw new ImageError({
      code: 'PLATFORM_MISMATCH',
      message: `${name}: the index lists ${formatPlatform(via.platform)} but the config says ${printable(formatPlatform(have), 80)}`,
    });
  }
  const want = wanted ?? (via ? DEFAULT_PLATFORM : undefined);
  if (want && !platformMatches(want, have)) {
    throw new ImageError({
      code: 'PLATFORM_MISMATCH',
      message: `${name}: ${formatPlatform(want)} was asked for but the image is ${printable(formatPlatform(have), 80)}`,
    });
  }
}
