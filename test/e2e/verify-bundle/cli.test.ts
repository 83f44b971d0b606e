/** Argument handling and exit codes of `verify-bundle` (verification itself: conformance.test.ts). */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DEFAULT_IDENTITY, DEFAULT_ISSUER } from './case-runner.js';

const CONF = join(import.meta.dirname, '..', '..', '..', 'testdata', 'sigstore', 'conformance');
const BUNDLE = join(CONF, 'happy-path-v0.3', 'bundle.sigstore.json');
const A_TXT = join(CONF, 'a.txt');
const ID = [
  '--certificate-identity',
  DEFAULT_IDENTITY,
  '--certificate-oidc-issuer',
  DEFAULT_ISSUER,
];

const run = (argv: string[]) => runCli(['verify-bundle', ...argv]);

describe('verify-bundle', () => {
  it('exits 0 and prints the signer on success', async () => {
    const r = await run(['--bundle', BUNDLE, ...ID, A_TXT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(DEFAULT_IDENTITY);
    expect(r.stderr).toBe('');
  });

  it('accepts an upper-case sha256 digest', async () => {
    const hex = createHash('sha256').update(readFileSync(A_TXT)).digest('hex').toUpperCase();
    expect((await run(['--bundle', BUNDLE, ...ID, `sha256:${hex}`])).code).toBe(0);
  });

  it('exits 1 with one stderr line naming the failure', async () => {
    const r = await run([
      '--bundle',
      BUNDLE,
      ...ID.slice(0, 3),
      'https://accounts.google.com',
      A_TXT,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ISSUER_MISMATCH');
  });

  it('escapes what the detail quotes from the bundle: no colour, no hidden text, no forged OK', async () => {
    const dsse = JSON.parse(
      readFileSync(join(CONF, 'happy-path-intoto-in-dsse-v3', 'bundle.sigstore.json'), 'utf8')
    ) as { dsseEnvelope: { payloadType: string } };
    // Erase the line, then print a green OK and conceal the rest of the real message.
    dsse.dsseEnvelope.payloadType = 'x\x1b[2K\r\x1b[32mOK: signed by ci\u202e\x1b[8m\nOK: forged';
    const file = join(mkdtempSync(join(tmpdir(), 'lamina-vb-')), 'bundle.json');
    writeFileSync(file, JSON.stringify(dsse));
    const r = await run(['--bundle', file, ...ID, A_TXT]);
    expect(r.code).toBe(1);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\x1b\r\u202e]/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('DSSE_PAYLOAD_INVALID: DSSE payloadType is x\\x1b[2K\\r\\x1b[32mOK');
  });

  it.each([
    ['--staging', 'BAD_ARGUMENT', ['--staging', '--bundle', BUNDLE, ...ID, A_TXT]],
    ['no artifact', 'MISSING_ARGUMENT', ['--bundle', BUNDLE, ...ID]],
    ['two artifacts', 'MISSING_ARGUMENT', ['--bundle', BUNDLE, ...ID, A_TXT, A_TXT]],
    ['no bundle', 'MISSING_ARGUMENT', [...ID, A_TXT]],
    ['identity without issuer', 'MISSING_ARGUMENT', ['--bundle', BUNDLE, ...ID.slice(0, 2), A_TXT]],
    ['key and identity', 'BAD_ARGUMENT', ['--bundle', BUNDLE, ...ID, '--key', A_TXT, A_TXT]],
    ['an unknown option', 'BAD_ARGUMENT', ['--bundle', BUNDLE, ...ID, '--offline', A_TXT]],
    ['a bad digest', 'BAD_ARGUMENT', ['--bundle', BUNDLE, ...ID, 'sha256:abc']],
    ['a missing artifact', 'BAD_INPUT', ['--bundle', BUNDLE, ...ID, join(CONF, 'nope')]],
    ['a missing bundle', 'BAD_INPUT', ['--bundle', join(CONF, 'nope'), ...ID, A_TXT]],
    [
      'a missing trusted root',
      'BAD_INPUT',
      ['--bundle', BUNDLE, ...ID, '--trusted-root', join(CONF, 'nope'), A_TXT],
    ],
    // A device has no size to check first: it is read up to the bound, never forever.
    ['a bundle that never ends', 'BAD_INPUT', ['--bundle', '/dev/zero', ...ID, A_TXT]],
    [
      'a trusted root that never ends',
      'BAD_INPUT',
      ['--bundle', BUNDLE, ...ID, '--trusted-root', '/dev/zero', A_TXT],
    ],
  ])('exits 2 for %s, through the shared usage errors', async (_l, code, argv) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lamina: /);
    expect(r.stderr).toContain(`[${code}]`);
  });
});
