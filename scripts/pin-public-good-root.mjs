#!/usr/bin/env node
// Extracts the Sigstore public-good trusted_root.json embedded in @sigstore/tuf's seeds.json
// (no network: a TUF client cannot run offline; https://github.com/sigstore/sigstore-js/tree/main/packages/tuf) and
// writes it to policies/trust/public-good-trusted-root.json. Prints the sha256 to pin as
// PUBLIC_GOOD_SHA256 in src/verify/trust/public-good.ts. Re-run only to update the root deliberately.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const seeds = JSON.parse(readFileSync(require.resolve('@sigstore/tuf/seeds.json'), 'utf8'));
const b64 = seeds['https://tuf-repo-cdn.sigstore.dev']?.targets?.['trusted_root.json'];
if (typeof b64 !== 'string') {
  console.error('seeds.json has no trusted_root.json target for tuf-repo-cdn.sigstore.dev');
  process.exit(1);
}
const bytes = Buffer.from(b64, 'base64');
JSON.parse(bytes.toString('utf8')); // must be JSON
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'policies', 'trust', 'public-good-trusted-root.json');
mkdirSync(dirname(out), { recursive: true });
// Written byte-for-byte so the pinned hash equals the hash of what TUF distributed.
writeFileSync(out, bytes);
console.log(`${createHash('sha256').update(bytes).digest('hex')}  ${out}`);
