#!/usr/bin/env node
// The demo's container images (testdata/images/demo-al2023/), an OCI layout built from the
// real Amazon Linux 2023 layer in testdata/images/layers/al2023/0.tar (see
// testdata/images/README.md) and a small handler layer, like a Lambda image built FROM an
// AL2023 base. Two refs, two builds of one function: `2024-08` and `2024-09` (another
// handler), so the demo estate can move a tag from one to the other after a deploy.
// Deterministic: rerunning gives the same bytes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeImage, makeLayer, REF_NAME, writeLayout } from './lib/ociwriter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const images = join(root, 'testdata', 'images');
const base = makeLayer(readFileSync(join(images, 'layers', 'al2023', '0.tar')));

function build(version) {
  const handler = makeLayer([
    { name: 'var/', type: 'dir' },
    { name: 'var/task/', type: 'dir' },
    {
      name: 'var/task/index.mjs',
      data: `export const handler = async () => ({ thumbnailer: "${version}" });\n`,
    },
  ]);
  return makeImage({
    layers: [base, handler],
    platform: { os: 'linux', architecture: 'amd64' },
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        'LAMBDA_TASK_ROOT=/var/task',
      ],
      Entrypoint: ['/lambda-entrypoint.sh'],
      Cmd: ['index.handler'],
      WorkingDir: '/var/task',
    },
  });
}

const blobs = new Map();
const entries = [];
for (const version of ['2024-08', '2024-09']) {
  const image = build(version);
  for (const [d, b] of image.blobs) blobs.set(d, b);
  blobs.set(image.manifest.descriptor.digest, image.manifest.bytes);
  entries.push({ ...image.manifest.descriptor, annotations: { [REF_NAME]: version } });
}
writeLayout(join(images, 'demo-al2023'), { blobs, entries });
console.log(`wrote ${join('testdata', 'images', 'demo-al2023')} (${entries.length} images)`);
