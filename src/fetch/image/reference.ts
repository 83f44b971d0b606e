/**
 * Image references as lamina accepts them on the command line:
 *
 * - `oci:DIR`, `oci:DIR:REF`, `oci:DIR@sha256:…` — an OCI image layout
 *   directory (https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md),
 *   REF being an `org.opencontainers.image.ref.name`; a bare path to a
 *   directory holding `oci-layout` means the same as `oci:PATH`;
 * - `docker-archive:FILE[:NAME:TAG]` — a `docker save` tarball;
 * - `[docker://]HOST[:PORT]/REPO[:TAG][@sha256:…]` — a registry, over the OCI
 *   distribution API. The host is required (no implied Docker Hub).
 *
 * The `oci:` and `docker-archive:` forms split path and reference at the first
 * colon, as skopeo does, so paths with colons need the `@sha256:` form or a
 * bare path.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../../model/oci.js';
import { ImageError, printable } from './errors.js';

export type ImageReference =
  | { transport: 'oci'; dir: string; ref?: string; digest?: Digest }
  | { transport: 'docker-archive'; file: string; ref?: string }
  | {
      transport: 'registry';
      /** `host[:port]` as written (lowercased). */
      registry: string;
      repository: string;
      tag?: string;
      digest?: Digest;
    };

const DIGEST_SUFFIX = /@(sha256:[0-9a-f]{64})$/;
// distribution/reference grammar (reference/regexp.go).
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOST =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function bad(text: string, why: string): never {
  throw new ImageError({
    code: 'BAD_REFERENCE',
    message: `image reference "${printable(text, 120)}": ${why}`,
  });
}

/** Parses an image reference string without touching the filesystem. */
export function parseImageReference(text: string): ImageReference {
  if (text.length === 0 || text.length > 4096 || hasControl(text)) {
    bad(text, 'empty, too long, or contains control characters');
  }
  if (text.startsWith('oci:')) {
    let rest = text.slice(4);
    const d = DIGEST_SUFFIX.exec(rest);
    if (d) {
      rest = rest.slice(0, d.index);
      if (!rest) bad(text, 'no directory');
      return { transport: 'oci', dir: rest, digest: d[1] as Digest };
    }
    const colon = rest.indexOf(':');
    const dir = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!dir) bad(text, 'no directory');
    if (ref === '') bad(text, 'empty reference after ":"');
    return ref === undefined ? { transport: 'oci', dir } : { transport: 'oci', dir, ref };
  }
  if (text.startsWith('docker-archive:')) {
    const rest = text.slice('docker-archive:'.length);
    const colon = rest.indexOf(':');
    const file = colon < 0 ? rest : rest.slice(0, colon);
    const ref = colon < 0 ? undefined : rest.slice(colon + 1);
    if (!file) bad(text, 'no file');
    if (ref === '') bad(text, 'empty reference after ":"');
    return ref === undefined
      ? { transport: 'docker-archive', file }
      : { transport: 'docker-archive', file, ref };
  }
  return parseRegistryReference(text.startsWith('docker://') ? text.slice(9) : text, text);
}

function parseRegistryReference(s: string, text: string): ImageReference {
  let rest = s;
  let digest: Digest | undefined;
  const d = DIGEST_SUFFIX.exec(rest);
  if (d) {
    digest = d[1] as Digest;
    rest = rest.slice(0, d.index);
  } else if (rest.includes('@')) {
    bad(text, 'only @sha256:<64 hex digits> digests are accepted');
  }
  const slash = rest.indexOf('/');
  if (slash < 0)
    bad(
      text,
      'expected HOST/REPOSITORY (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:tag)'
    );
  const registry = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1);
  if (!(registry.includes('.') || registry.includes(':') || registry === 'localhost')) {
    bad(
      text,
      `"${printable(registry, 60)}" is not a registry host; write the host, e.g. docker.io/library/alpine`
    );
  }
  if (!HOST.test(registry)) bad(text, 'bad registry host');
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) bad(text, 'bad tag');
  }
  if (path.length > 255 || !REPOSITORY.test(path)) bad(text, 'bad repository name');
  // Docker Hub's one-component names live under library/.
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (!tag && !digest) tag = 'latest';
  return {
    transport: 'registry',
    registry,
    repository: path,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** True when `path` is a directory holding an `oci-layout` file. */
export async function isLayoutDirectory(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isDirectory()) return false;
  const marker = await stat(join(path, 'oci-layout')).catch(() => undefined);
  return marker?.isFile() === true;
}

/**
 * Parses a reference as a user typed it: a bare path to an OCI layout
 * directory wins over the registry reading of the same text.
 */
export async function classifyImageInput(text: string): Promise<ImageReference> {
  if (
    !text.startsWith('oci:') &&
    !text.startsWith('docker-archive:') &&
    !text.startsWith('docker://')
  ) {
    if (await isLayoutDirectory(text)) return { transport: 'oci', dir: text };
  }
  return parseImageReference(text);
}

/** The reference as text again, for messages and SBOM names. */
export function formatImageReference(r: ImageReference): string {
  switch (r.transport) {
    case 'oci':
      return `oci:${r.dir}${r.digest ? `@${r.digest}` : r.ref ? `:${r.ref}` : ''}`;
    case 'docker-archive':
      return `docker-archive:${r.file}${r.ref ? `:${r.ref}` : ''}`;
    case 'registry':
      return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
  }
}
