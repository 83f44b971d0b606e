#!/usr/bin/env node
// Image benchmark (issue 10): a generated OCI image of 1 GiB uncompressed (4 gzip layers of
// 256 MiB, files of mixed random and repetitive bytes, as real layers compress) is read by
// `lamina sbom` with a fresh cache, measuring wall time and peak RSS (target: under 300 MiB,
// whatever the image size: memory is bounded by the entry index, not the bytes). Then one layer's
// single spooling pass (gunzip, the compressed digest and the diffID, written to the cache) is
// timed side by side with `gzip -dc LAYER | sha256sum` on the same blob, reported as a
// throughput ratio (target: at least 0.8).
//
// usage: node scripts/bench-image.mjs [--size-mib N] [--layers N] [--runs N] [--rebuild]
// Needs `npm run build`, GNU time, gzip and sha256sum. Writes .bench/image/ and .bench/image.json.
import { createHash, randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { BenchError, measure, median } from './bench/exec.mjs';
import { descriptor, jsonBytes, MT, writeLayout } from './lib/ociwriter.mjs';
import { writeTar } from './lib/tarwriter.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = process.env.LAMINA_DIST ?? join(ROOT, 'dist');
const LAMINA = join(DIST, 'src', 'cli', 'main.js');
const OUT = join(ROOT, '.bench', 'image');
const TARGET_RSS_MIB = 300;
const TARGET_RATIO = 0.8;

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    layers: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    rebuild: { type: 'boolean', default: false },
  },
});
const sizeMib = Number(values['size-mib']);
const layerCount = Number(values.layers);
const runs = Number(values.runs);
if (!existsSync(LAMINA)) throw new BenchError(`${LAMINA} is missing: run npm run build first`);

/**
 * One layer, streamed: tar entries of 1 MiB files (half random, half a repeated text line, so
 * gzip compresses it about 2:1 like binaries and text together), through gzip to `file`, hashing
 * the tar (diffID) and the blob (digest) on the way.
 */
async function writeLayer(file, index, bytes) {
  const tarHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let blobSize = 0;
  const text = Buffer.from(`layer ${index}: lamina image benchmark line of ordinary text\n`);
  async function* entries() {
    const files = Math.max(1, Math.round(bytes / (1024 * 1024)));
    for (let i = 0; i < files; i++) {
      const data = Buffer.alloc(1024 * 1024);
      randomBytes(512 * 1024).copy(data);
      for (let o = 512 * 1024; o < data.length; o += text.length) text.copy(data, o);
      const chunk = writeTar(
        [{ name: `opt/bench/l${index}/d${Math.floor(i / 64)}/f${i}.bin`, data, mode: 0o644 }],
        { end: false }
      );
      tarHash.update(chunk);
      yield chunk;
    }
    const end = Buffer.alloc(1024);
    tarHash.update(end);
    yield end;
  }
  const counter = async function* (src) {
    for await (const c of src) {
      blobHash.update(c);
      blobSize += c.length;
      yield c;
    }
  };
  await pipeline(entries, createGzip({ level: 6 }), counter, createWriteStream(file));
  return {
    diffId: `sha256:${tarHash.digest('hex')}`,
    digest: `sha256:${blobHash.digest('hex')}`,
    size: blobSize,
  };
}

/** The OCI layout of the generated image under OUT/layout (kept between runs unless --rebuild). */
async function buildImage() {
  const dir = join(OUT, 'layout');
  const marker = join(OUT, 'image.json');
  if (!values.rebuild && existsSync(marker)) {
    const info = JSON.parse(readFileSync(marker, 'utf8'));
    if (info.sizeMib === sizeMib && info.layers === layerCount) return info;
  }
  rmSync(OUT, { recursive: true, force: true });
  // Layers are too large to hold: they are streamed to a staging directory and moved into the
  // layout once lamina's OCI writer has written its small documents.
  const staging = join(OUT, 'staging');
  mkdirSync(staging, { recursive: true });
  const layers = [];
  for (let i = 0; i < layerCount; i++) {
    const tmp = join(staging, `layer-${i}.partial`);
    const l = await writeLayer(tmp, i, (sizeMib * 1024 * 1024) / layerCount);
    renameSync(tmp, join(staging, l.digest.slice(7)));
    layers.push(l);
    process.stderr.write(
      `bench-image: layer ${i} written (${(l.size / 2 ** 20).toFixed(0)} MiB gzip)\n`
    );
  }
  const config = jsonBytes({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const configDesc = descriptor(MT.ociConfig, config);
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: configDesc,
    layers: layers.map((l) => ({ mediaType: MT.ociLayerGzip, digest: l.digest, size: l.size })),
  });
  const manifestDesc = descriptor(MT.ociManifest, manifest);
  writeLayout(dir, {
    blobs: new Map([
      [configDesc.digest, config],
      [manifestDesc.digest, manifest],
    ]),
    entries: [manifestDesc],
  });
  for (const l of layers)
    renameSync(join(staging, l.digest.slice(7)), join(dir, 'blobs', 'sha256', l.digest.slice(7)));
  rmSync(staging, { recursive: true, force: true });
  const info = { sizeMib, layers: layerCount, dir, layerInfo: layers };
  writeFileSync(marker, JSON.stringify(info, null, 2));
  return info;
}

/** lamina's spooling pass over one stored layer, in a child process so its time is its own. */
const SPOOL_CHILD = `
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [dist, file, digest, size, diffId, cacheDir] = process.argv.slice(1);
const { spoolLayer } = await import(pathToFileURL(dist + '/src/fetch/image/spool.js').href);
const { ContentCache } = await import(pathToFileURL(dist + '/src/fetch/cache.js').href);
const layer = { index: 0, digest, size: Number(size), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', compression: 'gzip', diffId };
await spoolLayer(layer, async () => createReadStream(file), new ContentCache(cacheDir, 'tar'), {
  maxBytes: 16 * 1024 ** 3, remote: false, retry: { attempts: 1, baseMs: 0, capMs: 0 },
});
`;

const image = await buildImage();
const first = image.layerInfo[0];
const blob = join(image.dir, 'blobs', 'sha256', first.digest.slice(7));
const tarBytes = (image.sizeMib * 2 ** 20) / image.layers;

const sbomRuns = [];
for (let i = 0; i < runs; i++) {
  const cache = join(OUT, `cache-${i}`);
  rmSync(cache, { recursive: true, force: true });
  const m = measure([
    process.execPath,
    LAMINA,
    'sbom',
    `oci:${image.dir}`,
    '--cache-dir',
    cache,
    '-q',
    '-o',
    join(OUT, 'sbom.json'),
  ]);
  rmSync(cache, { recursive: true, force: true });
  sbomRuns.push(m);
}

const peerRuns = [];
const laminaRuns = [];
for (let i = 0; i < runs; i++) {
  // Side by side, alternating, on the same blob.
  peerRuns.push(measure(['sh', '-c', `gzip -dc '${blob}' | sha256sum >/dev/null`]));
  const cache = join(OUT, 'spool-cache');
  rmSync(cache, { recursive: true, force: true });
  laminaRuns.push(
    measure([
      process.execPath,
      '--input-type=module',
      '-e',
      SPOOL_CHILD,
      DIST,
      blob,
      first.digest,
      String(first.size),
      first.diffId,
      cache,
    ])
  );
  rmSync(cache, { recursive: true, force: true });
}
const peerS = median(peerRuns.map((r) => r.seconds));
const laminaS = median(laminaRuns.map((r) => r.seconds));
const result = {
  image: {
    uncompressedMib: image.sizeMib,
    layers: image.layers,
    gzipMib: image.layerInfo.reduce((a, l) => a + l.size, 0) / 2 ** 20,
  },
  sbom: {
    seconds: median(sbomRuns.map((r) => r.seconds)),
    peakRssMib: Math.max(...sbomRuns.map((r) => r.peakRssMb)),
    targetRssMib: TARGET_RSS_MIB,
  },
  spool: {
    layerTarMib: tarBytes / 2 ** 20,
    laminaSeconds: laminaS,
    peerSeconds: peerS,
    laminaMibPerS: tarBytes / 2 ** 20 / laminaS,
    peerMibPerS: tarBytes / 2 ** 20 / peerS,
    ratio: peerS / laminaS,
    targetRatio: TARGET_RATIO,
    peer: 'gzip -dc LAYER | sha256sum',
  },
};
writeFileSync(join(ROOT, '.bench', 'image.json'), JSON.stringify(result, null, 2) + '\n');
console.log(
  `image: ${result.image.uncompressedMib} MiB uncompressed in ${result.image.layers} gzip layers (${result.image.gzipMib.toFixed(0)} MiB stored)`
);
console.log(
  `lamina sbom: ${result.sbom.seconds.toFixed(1)} s, peak RSS ${result.sbom.peakRssMib.toFixed(0)} MiB (target < ${TARGET_RSS_MIB})`
);
console.log(
  `one layer (${result.spool.layerTarMib.toFixed(0)} MiB tar): lamina spool ${laminaS.toFixed(2)} s (${result.spool.laminaMibPerS.toFixed(0)} MiB/s), ` +
    `gzip -dc | sha256sum ${peerS.toFixed(2)} s (${result.spool.peerMibPerS.toFixed(0)} MiB/s): ratio ${result.spool.ratio.toFixed(2)} (target >= ${TARGET_RATIO})`
);
if (result.sbom.peakRssMib >= TARGET_RSS_MIB || result.spool.ratio < TARGET_RATIO)
  process.exitCode = 1;
