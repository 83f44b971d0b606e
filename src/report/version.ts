/**
 * What `lamina version` reports: lamina's version, the trust roots it ships (pinned by sha256)
 * and the versions of the formats it writes. Pure data; the command renders it.
 */
import { posix } from 'node:path';
import { CYCLONEDX_SPEC_VERSIONS } from '../sbom/cyclonedx.js';
import { SPDX_VERSION } from '../sbom/spdx.js';
import { LAMINA_VERSION } from '../version.js';
import { PUBLIC_GOOD_SHA256 } from '../verify/trust/public-good.js';
import { SARIF_VERSION } from './verdict-sarif.js';

/** A trusted root shipped in lamina's `policies/trust/`. */
export interface ShippedTrustRoot {
  /** The name a policy uses for it (`trustRoot: public-good`). */
  name: string;
  /** Path within the lamina package. */
  path: string;
  /** sha256 (hex) of the file; lamina refuses the file if its bytes differ. */
  sha256: string;
}

/** The `lamina version -o json` document. */
export interface VersionInfo {
  name: 'lamina';
  version: string;
  trustRoots: ShippedTrustRoot[];
  formats: {
    /** CycloneDX spec versions `sbom` writes; the first is the default. */
    cyclonedx: string[];
    /** SPDX versions `sbom -o spdx-json` writes. */
    spdx: string[];
    /** SARIF version of `verify`/`gate --format sarif`. */
    sarif: string;
  };
}

/** The trusted roots lamina ships (a test keeps this list equal to policies/trust/). */
export const SHIPPED_TRUST_ROOTS: readonly ShippedTrustRoot[] = [
  {
    name: 'public-good',
    path: posix.join('policies', 'trust', 'public-good-trusted-root.json'),
    sha256: PUBLIC_GOOD_SHA256,
  },
];

/** lamina's version, shipped trust roots and output format versions (pure). */
export function versionInfo(): VersionInfo {
  return {
    name: 'lamina',
    version: LAMINA_VERSION,
    trustRoots: SHIPPED_TRUST_ROOTS.map((r) => ({ ...r })),
    formats: {
      cyclonedx: [...CYCLONEDX_SPEC_VERSIONS],
      spdx: [SPDX_VERSION],
      sarif: SARIF_VERSION,
    },
  };
}

/** `lamina 0.1.0` (what `lamina --version` prints). */
export function renderVersionText(info: VersionInfo = versionInfo()): string {
  return `${info.name} ${info.version}\n`;
}

/** The version document as pretty JSON. */
export function renderVersionJson(info: VersionInfo = versionInfo()): string {
  return JSON.stringify(info, null, 2) + '\n';
}
