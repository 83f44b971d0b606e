#!/usr/bin/env node
// Writes extra bundle-verify cases (same layout as sigstore-conformance) to
// testdata/sigstore/crafted/, derived from the vendored conformance cases and the pinned
// public-good root. Each targets a mistake a verifier can make; all but the first must fail.
// Deterministic: re-running produces identical files.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const conf = join(root, 'testdata', 'sigstore', 'conformance');
const out = join(root, 'testdata', 'sigstore', 'crafted');
const publicGood = JSON.parse(
  readFileSync(join(root, 'policies', 'trust', 'public-good-trusted-root.json'), 'utf8')
);
const DEFAULT_ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

rmSync(out, { recursive: true, force: true });

/** @param {string} name @param {{from: string, readme: string, files?: Record<string,string|Buffer>, trustedRoot?: object}} c */
function makeCase(name, c) {
  const dir = join(out, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(conf, c.from, 'bundle.sigstore.json'), join(dir, 'bundle.sigstore.json'));
  writeFileSync(join(dir, 'README'), `${c.readme}\n(derived from conformance case ${c.from})\n`);
  for (const [f, v] of Object.entries(c.files ?? {})) writeFileSync(join(dir, f), v);
  if (c.trustedRoot)
    writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(c.trustedRoot, null, 2) + '\n');
}

const clone = (o) => JSON.parse(JSON.stringify(o));
function withoutStart(list, idx, path) {
  const tr = clone(publicGood);
  const entry = tr[list][idx];
  const vf = path === 'publicKey' ? entry.publicKey.validFor : entry.validFor;
  delete vf.start;
  return tr;
}

makeCase('public-good-root-explicit', {
  from: 'happy-path-v0.1',
  readme: 'The pinned public-good root passed explicitly with --trusted-root: must verify.',
  trustedRoot: publicGood,
});
makeCase('trust-root-tlog-missing-validity-start_fail', {
  from: 'happy-path-v0.1',
  readme: 'A tlog in the trusted root has no validFor.start: the root must be refused.',
  trustedRoot: withoutStart('tlogs', 0, 'publicKey'),
});
makeCase('trust-root-ctlog-missing-validity-start_fail', {
  from: 'happy-path-v0.1',
  readme: 'A CT log in the trusted root has no validFor.start: the root must be refused.',
  trustedRoot: withoutStart('ctlogs', 1, 'publicKey'),
});
makeCase('trust-root-ca-missing-validity-start_fail', {
  from: 'happy-path-v0.1',
  readme: 'A certificate authority in the trusted root has no validFor.start: refused.',
  trustedRoot: withoutStart('certificateAuthorities', 1, 'self'),
});
makeCase('trust-root-tsa-missing-validity-start_fail', {
  from: 'happy-path-v0.3',
  readme: 'A timestamp authority in the trusted root has no validFor.start: refused.',
  trustedRoot: withoutStart('timestampAuthorities', 0, 'self'),
});
makeCase('dsse-subject-digest-mismatch_fail', {
  from: 'happy-path-intoto-in-dsse-v3',
  readme: 'Valid DSSE bundle, but no in-toto subject has the artifact digest.',
  files: { artifact: 'not the attested artifact\n' },
});
makeCase('identity-prefix_fail', {
  from: 'happy-path-v0.3',
  readme: 'The expected identity is a prefix of the signer identity: exact compare must fail.',
  files: {
    identity: 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/',
  },
});
makeCase('identity-substring_fail', {
  from: 'happy-path-v0.3',
  readme: 'The expected identity is a substring of the signer identity.',
  files: { identity: 'extremely-dangerous' },
});
makeCase('identity-regex-wildcard_fail', {
  from: 'happy-path-v0.3',
  readme: 'The expected identity is a regex that would match; identities are not regexes.',
  files: { identity: '.*' },
});
makeCase('identity-longer_fail', {
  from: 'happy-path-v0.3',
  readme: 'The expected identity extends the signer identity.',
  files: { identity: `${DEFAULT_ID}x` },
});
makeCase('issuer-trailing-slash_fail', {
  from: 'happy-path-v0.3',
  readme: 'The issuer differs by a trailing slash.',
  files: { issuer: `${DEFAULT_ISSUER}/` },
});
makeCase('managed-key-other-key_fail', {
  from: 'managed-key-happy-path',
  readme: 'Key bundle verified with a different public key (the Rekor production key).',
  files: {
    'key.pub':
      '-----BEGIN PUBLIC KEY-----\n' +
      Buffer.from(publicGood.tlogs[0].publicKey.rawBytes, 'base64')
        .toString('base64')
        .replace(/(.{64})/g, '$1\n') +
      '\n-----END PUBLIC KEY-----\n',
  },
});
makeCase('keyless-bundle-with-key_fail', {
  from: 'happy-path-v0.3',
  readme: 'Certificate bundle verified with --key: material does not fit the anchor.',
  files: { 'key.pub': readFileSync(join(conf, 'managed-key-happy-path', 'key.pub')) },
});
console.log(`wrote ${out}`);
