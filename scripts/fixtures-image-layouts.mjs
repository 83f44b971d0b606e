#!/usr/bin/env node
// OCI layout and docker-archive fixtures under testdata/images/, made from the real
// Alpine 3.17.2 image that notaryproject/notation-go ships as a test vector
// (testdata/images/vectors/notation-go/internal/testdata/oci-layout, Apache-2.0,
// copied unchanged; its blobs are re-hashed here). Deterministic:
//
//   multi-oci/    an OCI layout whose index `multi` lists a linux/amd64 image (one
//                 gzip layer) and a linux/arm64/v8 image (one plain-tar layer), both
//                 holding Alpine's /etc/os-release and /etc/alpine-release from the
//                 real layer plus a handler, and a buildx-style attestation manifest
//                 (unknown/unknown) for the amd64 image; refs `amd64` and `arm64`
//                 name the two images directly.
//   multi-arm64.docker.tar   the arm64 image as a `docker save` archive.
//
// Needs GNU tar (to read files out of the Alpine layer).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  descriptor,
  jsonBytes,
  makeImage,
  makeIndex,
  makeLayer,
  MT,
  readLayout,
  REF_NAME,
  sha256,
  writeDockerArchive,
  writeLayout,
} from './lib/ociwriter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'testdata', 'images');
const alpineDir = join(out, 'vectors', 'notation-go', 'internal', 'testdata', 'oci-layout');
const ALPINE_MANIFEST = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';

const alpine = readLayout(alpineDir);
const alpineEntry = alpine.index.manifests.find((m) => m.digest === ALPINE_MANIFEST);
if (!alpineEntry) throw new Error('the Alpine vector does not hold the expected manifest');
const alpineManifest = JSON.parse(alpine.blob(ALPINE_MANIFEST).toString('utf8'));
alpine.blob(alpineManifest.layers[0].digest); // re-hashed: the copy is intact

// ---- files from the real Alpine layer
const tmp = mkdtempSync(join(tmpdir(), 'lamina-fixtures-images-'));
let osRelease;
let alpineRelease;
try {
  const gz = join(tmp, 'layer.tar.gz');
  copyFileSync(join(alpineDir, 'blobs', 'sha256', alpineManifest.layers[0].digest.slice(7)), gz);
  const read = (p) => execFileSync('tar', ['-xzOf', gz, p]);
  osRelease = read('etc/os-release');
  alpineRelease = read('etc/alpine-release');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---- two small images, one per platform
function handlerImage(arch, variant, compression) {
  const layer = makeLayer(
    [
      { name: 'etc/', type: 'dir' },
      { name: 'etc/alpine-release', data: alpineRelease },
      { name: 'etc/os-release', data: osRelease },
      { name: 'var/', type: 'dir' },
      { name: 'var/task/', type: 'dir' },
      { name: 'var/task/index.mjs', data: `export const handler = async () => "${arch}";\n` },
    ],
    { compression }
  );
  const image = makeImage({
    layers: [layer],
    platform: { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) },
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: '/var/task',
    },
  });
  return { layer, image };
}
const amd = handlerImage('amd64', undefined, 'gzip');
const arm = handlerImage('arm64', 'v8', 'none');

// ---- a buildx-style attestation manifest for the amd64 image
const statement = jsonBytes({
  _type: 'https://in-toto.io/Statement/v0.1',
  predicateType: 'https://slsa.dev/provenance/v0.2',
  subject: [{ name: 'multi', digest: { sha256: amd.image.manifest.descriptor.digest.slice(7) } }],
  predicate: { builder: { id: 'lamina-fixtures' } },
});
const attLayer = descriptor('application/vnd.in-toto+json', statement, {
  annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
});
const attConfig = jsonBytes({
  architecture: 'unknown',
  os: 'unknown',
  config: {},
  rootfs: { type: 'layers', diff_ids: [sha256(statement)] },
});
const attManifest = jsonBytes({
  schemaVersion: 2,
  mediaType: MT.ociManifest,
  config: descriptor(MT.ociConfig, attConfig),
  layers: [attLayer],
});

const index = makeIndex([
  { ...amd.image.manifest.descriptor, platform: { architecture: 'amd64', os: 'linux' } },
  {
    ...arm.image.manifest.descriptor,
    platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
  },
  {
    ...descriptor(MT.ociManifest, attManifest),
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: {
      'vnd.docker.reference.digest': amd.image.manifest.descriptor.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
  },
]);

const blobs = new Map([
  [amd.image.manifest.descriptor.digest, amd.image.manifest.bytes],
  ...amd.image.blobs,
  [arm.image.manifest.descriptor.digest, arm.image.manifest.bytes],
  ...arm.image.blobs,
  [sha256(attManifest), attManifest],
  [sha256(attConfig), attConfig],
  [sha256(statement), statement],
  [index.descriptor.digest, index.bytes],
]);
writeLayout(join(out, 'multi-oci'), {
  blobs,
  entries: [
    { ...index.descriptor, annotations: { [REF_NAME]: 'multi' } },
    { ...amd.image.manifest.descriptor, annotations: { [REF_NAME]: 'amd64' } },
    { ...arm.image.manifest.descriptor, annotations: { [REF_NAME]: 'arm64' } },
  ],
});
writeDockerArchive(join(out, 'multi-arm64.docker.tar'), {
  config: arm.image.config.bytes,
  layers: [arm.layer.tar],
  repoTags: ['lamina/multi:arm64'],
});

console.log(
  `images: multi index ${index.descriptor.digest}, amd64 ${amd.image.manifest.descriptor.digest}, arm64 ${arm.image.manifest.descriptor.digest}`
);
