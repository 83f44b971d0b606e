#!/usr/bin/env node
// Regenerates every fixture from real packages, then the sample layer.
// Needs the npm registry (npm fixtures) and some Debian packages (golang-go,
// ruby-json, ruby-rack, libxshmfence1, python3-xmltodict; unzip; for images: GNU tar, pinned
// .debs via apt-get download, sqlite3, db-util): see each script's header.
// Each script is deterministic: rerunning it gives byte-identical fixtures.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scripts = [
  'fixtures-npm.mjs',
  'fixtures-python.mjs',
  'fixtures-java.mjs',
  'fixtures-ruby.mjs',
  'fixtures-dotnet.mjs',
  'fixtures-binary.mjs',
  'fixtures-ldcache.mjs',
  'fixtures-hidden-package.mjs',
  'fixtures-hostile.mjs',
  'fixtures-image-layouts.mjs',
  'fixtures-diff.mjs',
  'make-sigstore-crafted-cases.mjs',
  'make-sample.mjs',
  // Image layers put the sample layer under /opt, so they come after it.
  'fixtures-images.mjs',
  // The demo images are built from the AL2023 image layer.
  'fixtures-demo-images.mjs',
  // The demo's signatures sign the demo images.
  'fixtures-demo-signatures.mjs',
];
const only = process.argv.slice(2);
for (const s of scripts) {
  if (only.length > 0 && !only.some((o) => s.includes(o))) continue;
  console.log(`== ${s}`);
  const r = spawnSync(process.execPath, [fileURLToPath(new URL(s, import.meta.url))], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`${s} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
