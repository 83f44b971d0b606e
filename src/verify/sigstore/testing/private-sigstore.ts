/**
 * A private Sigstore deployment for tests: own Fulcio CA, CT log, Rekor and TSA from
 * @sigstore/mock, served through nock (no network), plus the matching trusted_root.json.
 * Signs with @sigstore/sign's bundle builders (a Fulcio signer, Rekor and TSA witnesses).
 */
import { createHash, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import {
  fulcioHandler,
  initializeCA,
  initializeCTLog,
  initializeTLog,
  initializeTSA,
  rekorHandler,
  tsaHandler,
  type HandlerFn,
} from '@sigstore/mock';
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
  type Signer,
  type Witness,
} from '@sigstore/sign';
import { createRequire } from 'node:module';

// Use the nock instance @sigstore/mock itself depends on (13.x, nested): @sigstore/sign's fetch
// goes through it, and loading a second nock (the top-level 14.x) makes the two fight over
// http.request, so requests escape the mocks.
const nock = createRequire(createRequire(import.meta.url).resolve('@sigstore/mock'))(
  'nock'
) as typeof import('nock');

let deployments = 0;
export const ISSUER = 'https://ci.internal.example';

type Pair = { publicKey: KeyObject; privateKey: KeyObject };
const keyPair = (): Pair => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** Serves a mock handler on every matching request (the mock's own helper replies once). */
function serve(BASE: string, handler: { path: string; fn: HandlerFn }): void {
  nock(BASE)
    .persist()
    .post(handler.path)
    .reply(async (_uri, body) => {
      const req = typeof body === 'string' ? body : JSON.stringify(body);
      const { statusCode, response, contentType } = await handler.fn(req);
      return [statusCode, response, { 'Content-Type': contentType ?? 'text/plain' }];
    });
}

/** Options for {@link startPrivateSigstore}. */
export interface PrivateSigstoreOptions {
  /** Clock of the CA only: a past clock issues certificates that expired before signing. */
  caClock?: Date;
}

/** A running private deployment. */
export interface PrivateSigstore {
  /** trusted_root.json bytes for this deployment. */
  trustedRootBytes: Buffer;
  /** A message-signature bundle (JSON) for `data`, signed by an OIDC token with `claims`. */
  signKeyless(data: Buffer, claims: Record<string, unknown>): Promise<unknown>;
  /** A DSSE bundle (JSON, TSA timestamp, no tlog entry) over an in-toto Statement whose single subject is `subjectSha256`. */
  signDsse(
    subjectSha256: string,
    claims: Record<string, unknown>,
    statement?: { predicateType?: string; subjectName?: string }
  ): Promise<unknown>;
  /** A message-signature bundle signed with a local key; `witnessed` adds Rekor and TSA. */
  signWithKey(data: Buffer, key: Pair, hint: string, witnessed: boolean): Promise<unknown>;
}

/** Removes every deployment's interceptors and allows network again (call in afterAll). */
export function stopAllPrivateSigstores(): void {
  nock.cleanAll();
  nock.enableNetConnect();
}

/** Claims for a token of `email` issued by {@link ISSUER} (mock Fulcio uses the email as SAN). */
export function emailClaims(email: string, extra: Record<string, unknown> = {}) {
  return { iss: ISSUER, email, email_verified: true, sub: email, ...extra };
}

/** Starts the mock services and returns signers plus the trusted root. */
export async function startPrivateSigstore(
  opts: PrivateSigstoreOptions = {}
): Promise<PrivateSigstore> {
  nock.disableNetConnect();
  // Each deployment has its own host, so interceptors of several deployments never mix.
  const BASE = `https://sigstore-${++deployments}.internal.example`;
  // Fixed clocks. The mock TSA writes GeneralizedTime with trailing zeros of the milliseconds
  // trimmed (".5Z"), which @sigstore/core refuses, so the TSA time must have 3 significant
  // millisecond digits; the CA clock is a minute earlier so the TSA time is inside the cert.
  // The mock's TSA certificates start at the wall clock when created, so the fixed time is a
  // few seconds ahead of it.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000 + 5123);
  const ctlog = await initializeCTLog(keyPair(), now);
  const ca = await initializeCA(keyPair(), ctlog, opts.caClock ?? new Date(now.getTime() - 60e3));
  const tlog = await initializeTLog(BASE, keyPair(), now);
  const tsa = await initializeTSA(keyPair(), now);
  serve(BASE, fulcioHandler(ca, { strict: true, subjectClaim: 'email' }));
  serve(BASE, rekorHandler(tlog, { strict: true }));
  serve(BASE, tsaHandler(tsa, { strict: true }));

  const start = new Date(Date.now() - 24 * 3600e3);
  const logInstance = (der: Uint8Array) => ({
    baseUrl: BASE,
    hashAlgorithm: HashAlgorithm.SHA2_256,
    logId: { keyId: createHash('sha256').update(der).digest() },
    publicKey: {
      rawBytes: Buffer.from(der),
      keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
      validFor: { start, end: undefined },
    },
    checkpointKeyId: undefined,
    operator: '',
  });
  const authority = (certs: ArrayBufferView[]) => ({
    subject: { organization: 'lamina-test', commonName: 'private' },
    uri: BASE,
    certChain: {
      certificates: certs.map((c) => ({
        rawBytes: Buffer.from(c.buffer, c.byteOffset, c.byteLength),
      })),
    },
    validFor: { start, end: undefined },
    operator: '',
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    certificateAuthorities: [authority([ca.rootCertificate])],
    tlogs: [logInstance(tlog.publicKey)],
    ctlogs: [logInstance(ctlog.publicKey)],
    timestampAuthorities: [authority([tsa.intCertificate, tsa.rootCertificate])],
  } as unknown as TrustedRoot;
  const trustedRootBytes = Buffer.from(JSON.stringify(TrustedRoot.toJSON(trustedRoot)));

  const fulcio = (claims: Record<string, unknown>) =>
    new FulcioSigner({
      fulcioBaseURL: BASE,
      identityProvider: {
        // Unsigned JWT: the mock CA reads the claims without checking a signature.
        getToken: () =>
          Promise.resolve(`e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`),
      },
    });
  const witnesses = (): Witness[] => [
    new RekorWitness({ rekorBaseURL: BASE }),
    new TSAWitness({ tsaBaseURL: BASE }),
  ];

  return {
    trustedRootBytes,
    async signKeyless(data, claims) {
      const b = await new MessageSignatureBundleBuilder({
        signer: fulcio(claims),
        witnesses: witnesses(),
      }).create({ data });
      return bundleToJSON(b);
    },
    async signDsse(subjectSha256, claims, shape = {}) {
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: shape.subjectName ?? 'layer.zip', digest: { sha256: subjectSha256 } }],
        predicateType: shape.predicateType ?? 'https://slsa.dev/provenance/v1',
        predicate: {},
      };
      // TSA only: the mock Rekor logs the proposed dsse/intoto entry verbatim instead of the
      // canonical entry a real Rekor stores, so such entries never verify. Verify with tlog: 0.
      const b = await new DSSEBundleBuilder({
        signer: fulcio(claims),
        witnesses: [new TSAWitness({ tsaBaseURL: BASE })],
      }).create({
        data: Buffer.from(JSON.stringify(statement)),
        type: 'application/vnd.in-toto+json',
      });
      return bundleToJSON(b);
    },
    async signWithKey(data, key, hint, witnessed) {
      const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const signer: Signer = {
        sign: (d: Buffer) =>
          Promise.resolve({
            signature: nodeSign('sha256', d, key.privateKey),
            key: { $case: 'publicKey', publicKey: pem, hint },
          }),
      };
      const b = await new MessageSignatureBundleBuilder({
        signer,
        witnesses: witnessed ? witnesses() : [],
      }).create({ data });
      return bundleToJSON(b);
    },
  };
}

export { keyPair };
