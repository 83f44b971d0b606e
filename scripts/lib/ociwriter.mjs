// A small deterministic OCI image writer for fixtures and tests: layers
// (plain or gzip tar), image configs, manifests and indexes, OCI layout
// directories, `docker save` archives, and pushing images to a registry over
// the distribution API (blob upload POST + PUT, manifest PUT). Same inputs
// in, same bytes out: JSON is written compactly in the key order given, gzip
// with a zero mtime.
//
// Specs: https://github.com/opencontainers/image-spec/blob/v1.1.0/ (manifest,
// image-index, config, image-layout), distribution-spec v1.1 "Push".
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeTar } from './tarwriter.mjs';

export const MT = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
});

export const REF_NAME = 'org.opencontainers.image.ref.name';

/** `sha256:<hex>` of the bytes. */
export function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Compact JSON bytes, keys in the order given. */
export function jsonBytes(value) {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** A descriptor for bytes. */
export function descriptor(mediaType, bytes, extra = {}) {
  return { mediaType, digest: sha256(bytes), size: bytes.length, ...extra };
}

/** A layer from tar entries (or a ready tar), stored plain or gzip-compressed. */
export function makeLayer(entriesOrTar, { compression = 'gzip', docker = false } = {}) {
  const tar = Buffer.isBuffer(entriesOrTar) ? entriesOrTar : writeTar(entriesOrTar);
  const blob = compression === 'gzip' ? gzipSync(tar, { level: 9 }) : tar;
  const mediaType =
    compression === 'gzip' ? (docker ? MT.dockerLayerGzip : MT.ociLayerGzip) : MT.ociLayer;
  return { tar, blob, diffId: sha256(tar), descriptor: descriptor(mediaType, blob) };
}

/**
 * An image: config and manifest over the given layers.
 * Returns { manifest: {bytes, descriptor}, config: {bytes, descriptor}, blobs: Map<digest, Buffer> }.
 */
export function makeImage({
  layers,
  platform = { os: 'linux', architecture: 'amd64' },
  config = {},
  created = '1970-01-01T00:00:00Z',
  history,
  docker = false,
  annotations,
}) {
  const configDoc = {
    created,
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    os: platform.os,
    config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history:
      history ?? layers.map((_, i) => ({ created, created_by: `lamina fixture layer ${i}` })),
  };
  const configBytes = jsonBytes(configDoc);
  const configDesc = descriptor(docker ? MT.dockerConfig : MT.ociConfig, configBytes);
  const manifestDoc = {
    schemaVersion: 2,
    mediaType: docker ? MT.dockerManifest : MT.ociManifest,
    config: configDesc,
    layers: layers.map((l) => l.descriptor),
    ...(annotations ? { annotations } : {}),
  };
  const manifestBytes = jsonBytes(manifestDoc);
  const blobs = new Map([[configDesc.digest, configBytes]]);
  for (const l of layers) blobs.set(l.descriptor.digest, l.blob);
  return {
    manifest: {
      bytes: manifestBytes,
      descriptor: descriptor(manifestDoc.mediaType, manifestBytes),
    },
    config: { bytes: configBytes, descriptor: configDesc },
    blobs,
  };
}

/** An index over manifest descriptors (each may carry platform/annotations). */
export function makeIndex(manifests, { docker = false, annotations } = {}) {
  const doc = {
    schemaVersion: 2,
    mediaType: docker ? MT.dockerManifestList : MT.ociIndex,
    manifests,
    ...(annotations ? { annotations } : {}),
  };
  const bytes = jsonBytes(doc);
  return { bytes, descriptor: descriptor(doc.mediaType, bytes) };
}

/**
 * Write an OCI layout directory (replacing it): `blobs` is a Map of digest →
 * bytes, `entries` the index.json descriptors (with ref-name annotations).
 */
export function writeLayout(dir, { blobs, entries }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), jsonBytes({ imageLayoutVersion: '1.0.0' }));
  for (const digest of [...blobs.keys()].sort()) {
    const bytes = blobs.get(digest);
    if (sha256(bytes) !== digest)
      throw new Error(`ociwriter: blob ${digest} does not hash to its name`);
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
  }
  writeFileSync(join(dir, 'index.json'), jsonBytes({ schemaVersion: 2, manifests: entries }));
}

/** Reads a layout back: { index, blob(digest) }. Bytes are re-hashed. */
export function readLayout(dir) {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const blob = (digest) => {
    const bytes = readFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)));
    if (sha256(bytes) !== digest)
      throw new Error(`ociwriter: ${dir} blob ${digest} does not match`);
    return bytes;
  };
  return { index, blob };
}

/**
 * Write a `docker save` archive (legacy layout: `<config hex>.json`,
 * `<n>/layer.tar`, `manifest.json`, `repositories`), layers stored as given
 * (`layers[i]` is the bytes of layer i: a plain tar, as docker saves, or gzip).
 */
export function writeDockerArchive(file, { config, layers, repoTags = [] }) {
  const configName = `${sha256(config).slice(7)}.json`;
  const layerNames = layers.map((_, i) => `${String(i).padStart(3, '0')}/layer.tar`);
  const manifest = jsonBytes([{ Config: configName, RepoTags: repoTags, Layers: layerNames }]);
  const entries = [{ name: configName, data: config }];
  layers.forEach((bytes, i) => {
    entries.push({ name: `${String(i).padStart(3, '0')}/`, type: 'dir' });
    entries.push({ name: layerNames[i], data: bytes });
  });
  entries.push({ name: 'manifest.json', data: manifest });
  const archive = writeTar(entries);
  writeFileSync(file, archive);
  return archive;
}

/** Like fetch, but throws on an unexpected status with the body in the message. */
async function expectStatus(res, statuses, what) {
  if (!statuses.includes(res.status)) {
    throw new Error(
      `ociwriter push: ${what}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`
    );
  }
}

/**
 * Push blobs and manifests to `registry` (`http://host:port`) under
 * `repository`: each blob with a monolithic upload (POST, then PUT ?digest=),
 * then each manifest in order by its `reference` (tag or digest).
 * `headers` are sent with every request (e.g. Authorization).
 */
export async function pushImage(registry, repository, { blobs, manifests }, { headers = {} } = {}) {
  for (const [digest, bytes] of blobs) {
    const head = await fetch(`${registry}/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      headers,
    });
    if (head.status === 200) continue;
    const start = await fetch(`${registry}/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers,
    });
    await expectStatus(start, [202], `start upload of ${digest}`);
    const location = new URL(start.headers.get('location'), registry);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    await expectStatus(put, [201], `upload ${digest}`);
  }
  for (const m of manifests) {
    const res = await fetch(`${registry}/v2/${repository}/manifests/${m.reference}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': m.mediaType },
      body: m.bytes,
    });
    await expectStatus(res, [201], `manifest ${m.reference}`);
  }
}

/**
 * Push the image an OCI layout names by `ref` (and everything under it, for
 * an index) to `registry`/`repository`, tagged `tag`. Digests are preserved.
 */
export async function pushLayout(dir, ref, registry, repository, tag, options = {}) {
  const { index, blob } = readLayout(dir);
  const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === ref);
  if (!entry) throw new Error(`ociwriter: ${dir} has no ${ref}`);
  const blobs = new Map();
  const manifests = [];
  const visit = (desc, reference) => {
    const bytes = blob(desc.digest);
    const doc = JSON.parse(bytes.toString('utf8'));
    if (doc.manifests) {
      for (const child of doc.manifests) visit(child, child.digest);
    } else {
      blobs.set(doc.config.digest, blob(doc.config.digest));
      for (const l of doc.layers) blobs.set(l.digest, blob(l.digest));
    }
    manifests.push({ reference, mediaType: doc.mediaType ?? desc.mediaType, bytes });
  };
  visit(entry, tag);
  await pushImage(registry, repository, { blobs, manifests }, options);
  return entry.digest;
}

/**
 * Tar a directory deterministically: sorted names, directories, files and
 * symlinks, modes kept, mtime 0.
 * @param {string} dir
 * @returns {Buffer}
 */
export function tarDirectory(dir) {
  const entries = [];
  const walk = (rel) => {
    const names = readdirSync(join(dir, rel)).sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b))
    );
    for (const n of names) {
      const path = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, path));
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink())
        entries.push({ name: path, type: 'symlink', linkname: readlinkSync(join(dir, path)) });
      else if (st.isDirectory()) {
        entries.push({ name: `${path}/`, type: 'dir', mode });
        walk(path);
      } else if (st.isFile())
        entries.push({ name: path, data: readFileSync(join(dir, path)), mode });
    }
  };
  walk('');
  return writeTar(entries);
}
