import { it } from 'vitest';
import { verifyBundle } from '../../src/verify/sigstore/index.js';
import { loadTrustedRoot } from '../../src/verify/trust/index.js';
import { ISSUER, emailClaims, startPrivateSigstore } from './private-sigstore.js';
it('dbg', async () => {
  const A = Buffer.from('x');
  const s = await startPrivateSigstore();
  const root = loadTrustedRoot(s.trustedRootBytes);
  for (let i = 0; i < 8; i++) {
    const b1 = await s.signKeyless(A, emailClaims('ci@example.com'));
    const r = verifyBundle({
      bundle: b1,
      trustedRoot: root,
      anchor: { $case: 'keyless', issuer: ISSUER, subject: 'ci@example.com' },
      artifact: { $case: 'bytes', bytes: A },
    });
    console.log('RES', r.code, r.detail);
  }
});
