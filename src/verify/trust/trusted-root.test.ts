import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  PUBLIC_GOOD_SHA256,
  TrustRootError,
  loadPublicGoodTrustedRoot,
  loadTrustedRoot,
  publicGoodTrustedRootPath,
} from './index.js';

const publicGoodBytes = () => readFileSync(publicGoodTrustedRootPath());
const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(TrustRootError);
    return (e as TrustRootError).code;
  }
};
/** The parts of trusted_root.json these tests edit. */
interface ValidFor {
  start?: string;
}
interface Log {
  publicKey: { rawBytes: string; validFor?: ValidFor };
}
interface Authority {
  validFor: ValidFor;
}
interface Root {
  mediaType: string;
  tlogs: Log[] | object;
  ctlogs: Log[];
  certificateAuthorities: Authority[];
  timestampAuthorities: Authority[];
}
const tlogs = (r: Root) => r.tlogs as Log[];
const at = <T>(list: T[], i: number): T => list[i] as T;

const mutate = (edit: (root: Root) => unknown): Buffer => {
  const root = JSON.parse(publicGoodBytes().toString('utf8')) as Root;
  edit(root);
  return Buffer.from(JSON.stringify(root));
};

describe('public-good trusted root', () => {
  it('loads from the shipped file and matches the pin', () => {
    const m = loadPublicGoodTrustedRoot();
    expect(m.sha256).toBe(PUBLIC_GOOD_SHA256);
    expect(m.trustedRoot.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
    expect(m.trustedRoot.certificateAuthorities.length).toBeGreaterThan(0);
  });

  it('accepts the pin in upper case and refuses another pin', () => {
    expect(
      loadTrustedRoot(publicGoodBytes(), { expectedSha256: PUBLIC_GOOD_SHA256.toUpperCase() })
        .sha256
    ).toBe(PUBLIC_GOOD_SHA256);
    expect(
      codeOf(() => loadTrustedRoot(publicGoodBytes(), { expectedSha256: '00'.repeat(32) }))
    ).toBe('TRUST_ROOT_DIGEST_MISMATCH');
  });
});

describe('loadTrustedRoot refuses', () => {
  it.each([
    ['a tlog', (r: Root) => delete at(tlogs(r), 0).publicKey.validFor!.start],
    ['a tlog (no validFor at all)', (r: Root) => delete at(tlogs(r), 1).publicKey.validFor],
    ['a ctlog', (r: Root) => delete at(r.ctlogs, 0).publicKey.validFor!.start],
    ['a CA', (r: Root) => delete at(r.certificateAuthorities, 0).validFor.start],
    ['a TSA', (r: Root) => delete at(r.timestampAuthorities, 0).validFor.start],
    [
      'a tlog with an unparseable start',
      (r: Root) => (at(tlogs(r), 0).publicKey.validFor!.start = 'soon'),
    ],
  ])('%s lacking validFor.start', (_l, edit) => {
    expect(codeOf(() => loadTrustedRoot(mutate(edit)))).toBe('TRUST_ROOT_MISSING_VALIDITY');
  });

  it('non-JSON, non-object and foreign media types', () => {
    expect(codeOf(() => loadTrustedRoot(Buffer.from('{')))).toBe('TRUST_ROOT_PARSE');
    expect(codeOf(() => loadTrustedRoot(Buffer.from('[]')))).toBe('TRUST_ROOT_PARSE');
    expect(codeOf(() => loadTrustedRoot(mutate((r) => (r.mediaType = 'application/json'))))).toBe(
      'TRUST_ROOT_PARSE'
    );
    expect(codeOf(() => loadTrustedRoot(mutate((r) => (r.tlogs = {}))))).toBe('TRUST_ROOT_PARSE');
  });

  it('a key that does not load', () => {
    const bytes = mutate(
      (r) => (at(tlogs(r), 0).publicKey.rawBytes = Buffer.from('junk').toString('base64'))
    );
    expect(codeOf(() => loadTrustedRoot(bytes))).toBe('TRUST_ROOT_INVALID');
  });
});
