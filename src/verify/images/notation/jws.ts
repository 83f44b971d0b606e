/**
 * Notation signature verification for the JWS envelope, as AWS Signer produces it (pure).
 * Specs: https://github.com/notaryproject/specifications (signature-envelope-jws.md,
 * signature-specification.md, signing-scheme.md, trust-store-trust-policy.md); behaviour
 * checked against notation-go and notation-core-go. Where Go's encoding/json would read an
 * envelope differently from lamina (duplicate or case-variant keys), the envelope is refused.
 *
 * Checks, in order (the first failure decides, each with its own code): envelope media type;
 * JSON members; protected header; `cty`; signing scheme and its time; verification plugin;
 * RFC 3161 countersignature (not implemented: fails closed); `crit`; `alg`; `x5c`; `alg`
 * against the signing key; the signature; the chain rules; the root pinned in a trust store of
 * the scheme's type; `expiry`; certificate validity at the authentic signing time
 * (`notary.x509.signingAuthority`) or now (`notary.x509` without a timestamp); the payload's
 * `targetArtifact` against the image; the AWS Signer attributes.
 */
import { constants, verify as cryptoVerify } from 'node:crypto';
import {
  isJsonObject,
  parseStrictJson,
  foldKey,
  type JsonValue,
} from '../../../util/strict-json.js';
import { signatureIdentity } from '../../signature-identity.js';
import type { ImageDescriptor } from '../types.js';
import { BASE64, failedCheck, failer } from '../check.js';
import {
  ATTR_SIGNING_JOB,
  ATTR_SIGNING_PROFILE_VERSION,
  AWS_SIGNER_PLUGIN,
  AWS_SIGNER_PLUGIN_MAJOR,
  buildRevocationRequest,
  parseAwsSignerIdentity,
  signerCertificateHashes,
  type AwsSignerIdentity,
  type RevocationRequest,
} from './aws-signer.js';
import {
  describeKey,
  leafAlgorithm,
  parseCertificate,
  validateCodeSigningChain,
  type ParsedCertificate,
} from './certificates.js';
import { rootLabel, type NotationTrustStore, type NotationTrustStoreType } from './trust-store.js';

/** Media type of a JWS Notation envelope (the signature manifest's layer). */
export const NOTATION_JWS_MEDIA_TYPE = 'application/jose+json';
/** Media type of a COSE Notation envelope: recognised, not verified (fails closed). */
export const NOTATION_COSE_MEDIA_TYPE = 'application/cose';
/** Largest envelope read (the referrer blob cap). */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
/** Longest `x5c` chain accepted. */
export const MAX_CHAIN_LENGTH = 10;

const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
const H = {
  scheme: 'io.cncf.notary.signingScheme',
  signingTime: 'io.cncf.notary.signingTime',
  authenticSigningTime: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  plugin: 'io.cncf.notary.verificationPlugin',
  pluginMinVersion: 'io.cncf.notary.verificationPluginMinVersion',
} as const;
const SCHEME_X509 = 'notary.x509';
const SCHEME_SIGNING_AUTHORITY = 'notary.x509.signingAuthority';

/** `alg` values of the Notary Project JWS profile → node:crypto hash and key parameters. */
const ALGORITHMS: Readonly<Record<string, { hash: string; pss: boolean }>> = {
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', pss: false },
  ES384: { hash: 'sha384', pss: false },
  ES512: { hash: 'sha512', pss: false },
};

/**
 * JOSE header parameters that select keys or change how the payload is encoded (RFC 7515 §4.1,
 * RFC 7797). Notation never writes them and lamina does not process them, so they are refused
 * rather than ignored where another JOSE library might act on them.
 */
const REFUSED_HEADER_PARAMS = [
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'b64',
  'zip',
  'enc',
];

/** Unprotected header members (signature-envelope-jws.md "Unprotected Headers"). */
const UNPROTECTED = {
  x5c: 'x5c',
  signingAgent: 'io.cncf.notary.signingAgent',
  timestamp: 'io.cncf.notary.timestampSignature',
} as const;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// RFC 3339 date-time, upper-case T and Z as Go's time.RFC3339 layout reads them.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Outcome codes of {@link verifyNotationJws}, one per check. */
export type NotationCheckCode =
  | 'OK'
  /** COSE or another envelope type: not verified, fails closed. */
  | 'UNSUPPORTED_ENVELOPE'
  /** Not strict JSON, too large, or a member of the wrong type or encoding. */
  | 'ENVELOPE_INVALID'
  /** Envelope members are not exactly payload, protected, header, signature (or the header has unknown members). */
  | 'ENVELOPE_MEMBERS'
  /** Protected header: not a JSON object, a refused JOSE parameter, a case-variant key, a wrong type. */
  | 'PROTECTED_HEADER_INVALID'
  /** `cty` is not the Notary Project payload type. */
  | 'CONTENT_TYPE_INVALID'
  /** Unknown signing scheme, or a time attribute that does not belong to it. */
  | 'SIGNING_SCHEME_INVALID'
  /** Signing time or expiry missing, not RFC 3339, or expiry not after the signing time. */
  | 'SIGNING_TIME_INVALID'
  /** A verification plugin other than AWS Signer's, or a newer plugin version than lamina implements. */
  | 'VERIFICATION_PLUGIN_UNSUPPORTED'
  /** `notary.x509` with an RFC 3161 countersignature: timestamp verification is not implemented. */
  | 'TIMESTAMP_UNSUPPORTED'
  /** `crit` missing, empty, duplicated, or naming an absent attribute. */
  | 'CRIT_INVALID'
  /** `crit` names an attribute lamina does not process. */
  | 'UNKNOWN_CRITICAL_ATTRIBUTE'
  /** A mandatory critical attribute is not marked critical. */
  | 'NOT_CRITICAL'
  /** `alg` is not one of PS256/384/512, ES256/384/512. */
  | 'ALG_INVALID'
  /** `alg` is not the algorithm of the signing certificate's key. */
  | 'ALG_KEY_MISMATCH'
  /** `x5c` missing, too long, or a certificate that does not parse (canonically). */
  | 'CERTIFICATE_INVALID'
  | 'SIGNATURE_INVALID'
  /** Chain issuance: not each signed by the next, or not ending in a self-signed root. */
  | 'CHAIN_INVALID'
  /** Certificate requirements: CA bits, key usage, extended key usage, key type, critical extensions. */
  | 'CERTIFICATE_USAGE_INVALID'
  /** The last certificate is not a pinned root of the scheme's trust store type. */
  | 'ROOT_UNTRUSTED'
  /** `io.cncf.notary.expiry` has passed. */
  | 'EXPIRED'
  /** `notary.x509.signingAuthority`: the authentic signing time is outside a certificate's validity. */
  | 'AUTHENTIC_TIMESTAMP_INVALID'
  /** `notary.x509` without a timestamp: a certificate is not valid now. */
  | 'CERTIFICATE_NOT_VALID_NOW'
  /** Payload is not strict JSON `{targetArtifact: {mediaType, digest, size, annotations?}}`. */
  | 'PAYLOAD_INVALID'
  /** `targetArtifact` digest, size or media type is not the image's. */
  | 'TARGET_MISMATCH'
  /** AWS Signer attributes missing, not strings, or not Signer ARNs of one partition and Region. */
  | 'SIGNER_ATTRIBUTES_INVALID';

/** Input of {@link verifyNotationJws}. */
export interface VerifyNotationInput {
  /** The envelope bytes (the signature manifest's layer blob, already re-hashed by the fetcher). */
  readonly envelope: Uint8Array;
  /** The layer's media type from the signature manifest. */
  readonly envelopeMediaType: string;
  /** The image manifest the signature must be about. */
  readonly subject: ImageDescriptor;
  /** Pinned roots; only stores of the signature's scheme type are consulted. */
  readonly trustStores: readonly NotationTrustStore[];
  /** Time for `expiry` and, for `notary.x509` without a timestamp, certificate validity. */
  readonly now: Date;
}

/** What a verdict rests on; filled as far as verification got. */
export interface NotationEvidence {
  alg?: string;
  signingScheme?: string;
  /** ISO time: authentic (signingAuthority) or claimed (notary.x509). */
  signingTime?: string;
  expiry?: string;
  signingAgent?: string;
  verificationPlugin?: string;
  /** Certificate subjects, leaf first. */
  chain?: string[];
  rootSha256?: string;
  rootLabel?: 'aws-signer-public-root' | 'custom-root';
  trustStore?: string;
  targetArtifact?: { mediaType?: string; digest?: string; size?: number };
  profileVersionArn?: string;
  jobArn?: string;
}

/** A signature that passed every check. */
export interface VerifiedNotation {
  /** Identity for threshold counting (see signature-identity.ts). */
  readonly signatureId: string;
  readonly signingScheme: 'notary.x509' | 'notary.x509.signingAuthority';
  readonly signingTime: Date;
  readonly expiry?: Date;
  readonly leafSubject: string;
  readonly rootSha256: string;
  readonly trustStore: string;
  /** Present when the AWS Signer plugin attributes were verified. */
  readonly awsSigner?: AwsSignerIdentity;
  /** GetRevocationStatus request for an AWS Signer signature. */
  readonly revocationRequest?: RevocationRequest;
}

/** The verdict for one envelope. */
export interface NotationCheck {
  readonly ok: boolean;
  readonly code: NotationCheckCode;
  /** One human sentence. */
  readonly detail: string;
  readonly evidence: NotationEvidence;
  /** Set when `ok`. */
  readonly verified?: VerifiedNotation;
}

const fail = failer<NotationCheckCode>();

/** Verifies one Notation envelope offline. Never throws: every exception becomes `ok: false`. */
export function verifyNotationJws(input: VerifyNotationInput): NotationCheck {
  const evidence: NotationEvidence = {};
  try {
    const verified = run(input, evidence);
    const who = verified.awsSigner
      ? `AWS Signer profile version ${verified.awsSigner.profileVersionArn} (job ${verified.awsSigner.jobArn})`
      : verified.leafSubject;
    return {
      ok: true,
      code: 'OK',
      detail: `Notation ${verified.signingScheme} signature by ${who}, chain to ${evidence.rootLabel ?? 'custom-root'} ${verified.rootSha256.slice(0, 12)}… in trust store ${verified.trustStore}.`,
      evidence,
      verified,
    };
  } catch (e) {
    return { ok: false, ...failedCheck<NotationCheckCode>(e, 'ENVELOPE_INVALID'), evidence };
  }
}

function parseJson(bytes: Uint8Array, code: NotationCheckCode, what: string): JsonValue {
  try {
    return parseStrictJson(bytes);
  } catch (e) {
    return fail(code, `${what} is not strict JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function decodeBase64Url(s: JsonValue | undefined, what: string): Buffer {
  if (typeof s !== 'string' || !BASE64URL.test(s) || s.length % 4 === 1) {
    return fail('ENVELOPE_INVALID', `${what} is not unpadded base64url`);
  }
  return Buffer.from(s, 'base64url');
}

function parseTime(v: JsonValue | undefined, name: string): Date {
  if (typeof v !== 'string')
    return fail('SIGNING_TIME_INVALID', `${name} is missing or not a string`);
  const m = RFC3339.exec(v);
  const d = new Date(v);
  if (m === null || Number.isNaN(d.getTime())) {
    return fail(
      'SIGNING_TIME_INVALID',
      `${name} ${JSON.stringify(v)} is not an RFC 3339 date-time`
    );
  }
  // Date accepts 2023-02-30 by rolling over; RFC 3339 does not.
  const [y = 0, mo = 0, da = 0, hh = 0, mi = 0, ss = 0] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const zone = m[8] === 'Z' ? [0, 0] : (m[8] ?? '').slice(1).split(':').map(Number);
  const zoneOk = (zone[0] ?? 99) <= 23 && (zone[1] ?? 99) <= 59;
  if (mo < 1 || mo > 12 || da < 1 || da > days || hh > 23 || mi > 59 || ss > 59 || !zoneOk) {
    return fail('SIGNING_TIME_INVALID', `${name} ${JSON.stringify(v)} is not a valid date-time`);
  }
  return d;
}

interface Envelope {
  protectedB64: string;
  payloadB64: string;
  signature: Buffer;
  x5c: Buffer[];
  signingAgent?: string;
  hasTimestamp: boolean;
}

function readEnvelope(input: VerifyNotationInput): Envelope {
  if (input.envelopeMediaType === NOTATION_COSE_MEDIA_TYPE) {
    fail(
      'UNSUPPORTED_ENVELOPE',
      'COSE Notation envelopes are not supported (AWS Signer makes JWS)'
    );
  }
  if (input.envelopeMediaType !== NOTATION_JWS_MEDIA_TYPE) {
    fail(
      'UNSUPPORTED_ENVELOPE',
      `envelope media type ${JSON.stringify(input.envelopeMediaType)} is not ${NOTATION_JWS_MEDIA_TYPE}`
    );
  }
  if (input.envelope.length > MAX_ENVELOPE_BYTES) {
    fail(
      'ENVELOPE_INVALID',
      `envelope is ${input.envelope.length} bytes, more than ${MAX_ENVELOPE_BYTES}`
    );
  }
  const env = parseJson(input.envelope, 'ENVELOPE_INVALID', 'the envelope');
  if (!isJsonObject(env)) return fail('ENVELOPE_INVALID', 'the envelope is not a JSON object');
  const members = Object.keys(env).sort();
  if (members.join(',') !== 'header,payload,protected,signature') {
    fail(
      'ENVELOPE_MEMBERS',
      `envelope members are ${members.join(', ') || '(none)'}, expected exactly payload, protected, header, signature (flattened JWS JSON)`
    );
  }
  const header = env.header;
  if (!isJsonObject(header))
    return fail('ENVELOPE_INVALID', 'the unprotected header is not an object');
  // Go reads the unprotected header into a struct, matching names case-insensitively (notation-go's
  // own test envelopes spell io.cncf.notary.SigningAgent); duplicates under folding were refused.
  const known = new Map(Object.values(UNPROTECTED).map((k) => [foldKey(k), k]));
  const unprotected: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(header)) {
    const name = known.get(foldKey(k));
    if (name === undefined)
      fail('ENVELOPE_MEMBERS', `unknown unprotected header member ${JSON.stringify(k)}`);
    unprotected[name!] = v;
  }
  const x5cRaw = unprotected[UNPROTECTED.x5c];
  if (!Array.isArray(x5cRaw) || x5cRaw.length === 0)
    return fail('CERTIFICATE_INVALID', 'x5c is missing or empty');
  if (x5cRaw.length > MAX_CHAIN_LENGTH)
    fail(
      'CERTIFICATE_INVALID',
      `x5c has ${x5cRaw.length} certificates, more than ${MAX_CHAIN_LENGTH}`
    );
  const x5c = x5cRaw.map((c, i) => {
    if (typeof c !== 'string' || !BASE64.test(c))
      return fail('CERTIFICATE_INVALID', `x5c[${i}] is not base64`);
    return Buffer.from(c, 'base64');
  });
  const agent = unprotected[UNPROTECTED.signingAgent];
  if (agent !== undefined && typeof agent !== 'string')
    fail('ENVELOPE_INVALID', 'signingAgent is not a string');
  const ts = unprotected[UNPROTECTED.timestamp];
  if (ts !== undefined && typeof ts !== 'string')
    fail('ENVELOPE_INVALID', 'timestampSignature is not a string');
  if (typeof env.protected !== 'string' || typeof env.payload !== 'string') {
    fail('ENVELOPE_INVALID', 'protected and payload must be strings');
  }
  decodeBase64Url(env.payload, 'payload');
  const signature = decodeBase64Url(env.signature, 'signature');
  if (signature.length === 0) fail('SIGNATURE_INVALID', 'the signature is empty');
  return {
    protectedB64: env.protected as string,
    payloadB64: env.payload as string,
    signature,
    x5c,
    ...(typeof agent === 'string' ? { signingAgent: agent } : {}),
    hasTimestamp: ts !== undefined,
  };
}

/** Protected header names lamina knows by exact spelling (registered, Notary Project, AWS Signer). */
const KNOWN_PROTECTED = [
  'alg',
  'cty',
  'crit',
  ...Object.values(H),
  ATTR_SIGNING_PROFILE_VERSION,
  ATTR_SIGNING_JOB,
];

function run(input: VerifyNotationInput, ev: NotationEvidence): VerifiedNotation {
  const env = readEnvelope(input);
  if (env.signingAgent !== undefined) ev.signingAgent = env.signingAgent;

  // --- protected header ---
  const hdr = parseJson(
    decodeBase64Url(env.protectedB64, 'protected'),
    'PROTECTED_HEADER_INVALID',
    'the protected header'
  );
  if (!isJsonObject(hdr))
    return fail('PROTECTED_HEADER_INVALID', 'the protected header is not a JSON object');
  const knownFolded = new Map(KNOWN_PROTECTED.map((k) => [foldKey(k), k]));
  for (const k of Object.keys(hdr)) {
    const exact = knownFolded.get(foldKey(k));
    if (exact !== undefined && exact !== k) {
      fail(
        'PROTECTED_HEADER_INVALID',
        `protected header key ${JSON.stringify(k)} is a case variant of ${exact}`
      );
    }
    if (REFUSED_HEADER_PARAMS.some((p) => foldKey(p) === foldKey(k))) {
      fail(
        'PROTECTED_HEADER_INVALID',
        `protected header parameter ${JSON.stringify(k)} is not allowed in a Notation signature`
      );
    }
  }
  const alg = hdr.alg;
  if (typeof alg !== 'string')
    return fail('PROTECTED_HEADER_INVALID', 'alg is missing or not a string');
  ev.alg = alg;
  if (hdr.cty !== PAYLOAD_CONTENT_TYPE) {
    fail(
      'CONTENT_TYPE_INVALID',
      `cty is ${JSON.stringify(hdr.cty ?? null)}, expected ${PAYLOAD_CONTENT_TYPE}`
    );
  }

  // --- signing scheme and its time ---
  const scheme = hdr[H.scheme];
  if (scheme !== SCHEME_X509 && scheme !== SCHEME_SIGNING_AUTHORITY) {
    return fail(
      'SIGNING_SCHEME_INVALID',
      `signing scheme ${JSON.stringify(scheme ?? null)} is not ${SCHEME_X509} or ${SCHEME_SIGNING_AUTHORITY}`
    );
  }
  ev.signingScheme = scheme;
  const [timeName, otherTime] =
    scheme === SCHEME_X509
      ? [H.signingTime, H.authenticSigningTime]
      : [H.authenticSigningTime, H.signingTime];
  if (hdr[otherTime] !== undefined)
    fail('SIGNING_SCHEME_INVALID', `${otherTime} must not be present under ${scheme}`);
  const signingTime = parseTime(hdr[timeName], timeName);
  ev.signingTime = signingTime.toISOString();
  let expiry: Date | undefined;
  if (hdr[H.expiry] !== undefined) {
    expiry = parseTime(hdr[H.expiry], H.expiry);
    ev.expiry = expiry.toISOString();
    if (expiry.getTime() <= signingTime.getTime()) {
      fail(
        'SIGNING_TIME_INVALID',
        `expiry ${ev.expiry} is not after the signing time ${ev.signingTime}`
      );
    }
  }

  // --- verification plugin: only AWS Signer's, whose checks lamina implements ---
  const plugin = hdr[H.plugin];
  if (plugin !== undefined) {
    if (plugin !== AWS_SIGNER_PLUGIN) {
      fail(
        'VERIFICATION_PLUGIN_UNSUPPORTED',
        `verification plugin ${JSON.stringify(plugin)} is not ${AWS_SIGNER_PLUGIN}`
      );
    }
    ev.verificationPlugin = AWS_SIGNER_PLUGIN;
    const min = hdr[H.pluginMinVersion];
    if (min !== undefined) {
      const m = typeof min === 'string' ? SEMVER.exec(min) : null;
      if (m === null || Number(m[1]) > AWS_SIGNER_PLUGIN_MAJOR) {
        fail(
          'VERIFICATION_PLUGIN_UNSUPPORTED',
          `signature needs plugin version ${JSON.stringify(min)}; lamina implements ${AWS_SIGNER_PLUGIN} ${AWS_SIGNER_PLUGIN_MAJOR}.x`
        );
      }
    }
  } else if (hdr[H.pluginMinVersion] !== undefined) {
    fail('VERIFICATION_PLUGIN_UNSUPPORTED', `${H.pluginMinVersion} without ${H.plugin}`);
  }
  const aws = plugin === AWS_SIGNER_PLUGIN;
  if (aws && scheme !== SCHEME_SIGNING_AUTHORITY) {
    fail(
      'SIGNING_SCHEME_INVALID',
      `AWS Signer signatures use ${SCHEME_SIGNING_AUTHORITY}, not ${scheme}`
    );
  }
  if (env.hasTimestamp && scheme === SCHEME_X509) {
    fail(
      'TIMESTAMP_UNSUPPORTED',
      'the signature carries an RFC 3161 countersignature; lamina does not verify Notation timestamps'
    );
  }

  // --- crit ---
  const crit = hdr.crit;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== 'string')) {
    return fail('CRIT_INVALID', 'crit is missing, empty, or not a list of strings');
  }
  const critNames = crit as string[];
  if (new Set(critNames).size !== critNames.length) fail('CRIT_INVALID', 'crit lists a name twice');
  const processable = new Set<string>([
    H.scheme,
    H.expiry,
    H.authenticSigningTime,
    H.plugin,
    H.pluginMinVersion,
  ]);
  if (aws) {
    processable.add(ATTR_SIGNING_PROFILE_VERSION);
    processable.add(ATTR_SIGNING_JOB);
  }
  for (const c of critNames) {
    if (!processable.has(c))
      fail(
        'UNKNOWN_CRITICAL_ATTRIBUTE',
        `critical attribute ${JSON.stringify(c)} is not one lamina processes`
      );
    if (hdr[c] === undefined) fail('CRIT_INVALID', `${c} is marked critical but absent`);
  }
  const mustBeCritical: string[] = [H.scheme];
  if (expiry !== undefined) mustBeCritical.push(H.expiry);
  if (scheme === SCHEME_SIGNING_AUTHORITY) mustBeCritical.push(H.authenticSigningTime);
  if (plugin !== undefined) mustBeCritical.push(H.plugin);
  if (hdr[H.pluginMinVersion] !== undefined) mustBeCritical.push(H.pluginMinVersion);
  if (aws) mustBeCritical.push(ATTR_SIGNING_PROFILE_VERSION, ATTR_SIGNING_JOB);
  for (const m of mustBeCritical) {
    if (hdr[m] === undefined)
      fail(
        m.startsWith('com.amazonaws') ? 'SIGNER_ATTRIBUTES_INVALID' : 'CRIT_INVALID',
        `${m} is required and absent`
      );
    if (!critNames.includes(m)) fail('NOT_CRITICAL', `${m} must be marked critical`);
  }

  // --- alg, certificates, signature ---
  const algorithm = ALGORITHMS[alg];
  if (algorithm === undefined)
    return fail(
      'ALG_INVALID',
      `alg ${JSON.stringify(alg)} is not one of ${Object.keys(ALGORITHMS).join(', ')}`
    );
  const chain: ParsedCertificate[] = env.x5c.map((der, i) => {
    try {
      return parseCertificate(der);
    } catch (e) {
      return fail(
        'CERTIFICATE_INVALID',
        `x5c[${i}] is not a usable certificate: ${e instanceof Error ? e.message : String(e)}`
      );
    }
  });
  ev.chain = chain.map((c) => c.subject);
  const leaf = chain[0]!;
  const keyAlg = leafAlgorithm(leaf.publicKey);
  if (keyAlg !== alg) {
    fail(
      'ALG_KEY_MISMATCH',
      `alg is ${alg} but the signing key (${describeKey(leaf.publicKey)}) calls for ${keyAlg ?? 'no Notary Project algorithm'}`
    );
  }
  const signingInput = Buffer.from(`${env.protectedB64}.${env.payloadB64}`, 'ascii');
  let valid = false;
  try {
    valid = algorithm.pss
      ? cryptoVerify(
          algorithm.hash,
          signingInput,
          {
            key: leaf.publicKey,
            padding: constants.RSA_PKCS1_PSS_PADDING,
            saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
          },
          env.signature
        )
      : cryptoVerify(
          algorithm.hash,
          signingInput,
          { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' },
          env.signature
        );
  } catch {
    valid = false;
  }
  if (!valid)
    fail(
      'SIGNATURE_INVALID',
      `the ${alg} signature does not verify with the signing certificate's key`
    );

  // --- chain and trust ---
  const chainProblem = validateCodeSigningChain(chain);
  if (chainProblem) fail(chainProblem.code, chainProblem.message);
  const root = chain[chain.length - 1]!;
  ev.rootSha256 = root.sha256;
  ev.rootLabel = rootLabel(root.sha256);
  const storeType: NotationTrustStoreType = scheme === SCHEME_X509 ? 'ca' : 'signingAuthority';
  const holds = (s: NotationTrustStore) =>
    s.certificates.some((c) => root.der.equals(Buffer.from(c)));
  const store = input.trustStores.find((s) => s.type === storeType && holds(s));
  if (store === undefined) {
    const other = input.trustStores.find((s) => s.type !== storeType && holds(s));
    fail(
      'ROOT_UNTRUSTED',
      other
        ? `root ${root.subject} (sha256 ${root.sha256}) is in trust store ${other.name} of type ${other.type}, but ${scheme} signatures need a ${storeType} store`
        : `root ${root.subject} (sha256 ${root.sha256}) is in no ${storeType} trust store`
    );
  }
  ev.trustStore = store!.name;

  // --- times ---
  if (expiry !== undefined && input.now.getTime() >= expiry.getTime()) {
    fail('EXPIRED', `the signature expired at ${ev.expiry}`);
  }
  const outside = (at: Date) =>
    chain.find((c) => at.getTime() < c.notBefore.getTime() || at.getTime() > c.notAfter.getTime());
  if (scheme === SCHEME_SIGNING_AUTHORITY) {
    const bad = outside(signingTime);
    if (bad)
      fail(
        'AUTHENTIC_TIMESTAMP_INVALID',
        `certificate ${bad.subject} (valid ${bad.notBefore.toISOString()} to ${bad.notAfter.toISOString()}) was not valid at the authentic signing time ${ev.signingTime}`
      );
  } else {
    const bad = outside(input.now);
    if (bad)
      fail(
        'CERTIFICATE_NOT_VALID_NOW',
        `certificate ${bad.subject} (valid ${bad.notBefore.toISOString()} to ${bad.notAfter.toISOString()}) is not valid now and the signature has no trusted timestamp`
      );
  }

  // --- payload against the image ---
  const target = readTarget(decodeBase64Url(env.payloadB64, 'payload'));
  ev.targetArtifact = { mediaType: target.mediaType, digest: target.digest, size: target.size };
  const s = input.subject;
  if (target.digest !== s.digest || target.size !== s.size || target.mediaType !== s.mediaType) {
    fail(
      'TARGET_MISMATCH',
      `the signature is for ${target.mediaType} ${target.digest} (${target.size} bytes), not the image ${s.mediaType} ${s.digest} (${s.size} bytes)`
    );
  }

  // --- AWS Signer attributes ---
  let awsSigner: AwsSignerIdentity | undefined;
  let revocationRequest: RevocationRequest | undefined;
  if (aws) {
    const pv = hdr[ATTR_SIGNING_PROFILE_VERSION];
    const job = hdr[ATTR_SIGNING_JOB];
    if (typeof pv === 'string') ev.profileVersionArn = pv;
    if (typeof job === 'string') ev.jobArn = job;
    awsSigner =
      typeof pv === 'string' && typeof job === 'string'
        ? parseAwsSignerIdentity(pv, job)
        : undefined;
    if (awsSigner === undefined) {
      fail(
        'SIGNER_ATTRIBUTES_INVALID',
        `${ATTR_SIGNING_PROFILE_VERSION} and ${ATTR_SIGNING_JOB} must be AWS Signer profile-version and job ARNs of one partition and Region`
      );
    }
    revocationRequest = buildRevocationRequest(
      awsSigner!,
      signingTime,
      signerCertificateHashes(chain.map((c) => c.tbs))
    );
  }

  return {
    signatureId: signatureIdentity({
      signature: env.signature,
      verifier: leaf.der,
      ecdsaEncoding: 'ieee-p1363',
    }),
    signingScheme: scheme,
    signingTime,
    ...(expiry !== undefined ? { expiry } : {}),
    leafSubject: leaf.subject,
    rootSha256: root.sha256,
    trustStore: store!.name,
    ...(awsSigner ? { awsSigner } : {}),
    ...(revocationRequest ? { revocationRequest } : {}),
  };
}

interface Target {
  mediaType: string;
  digest: string;
  size: number;
}

const TARGET_MEMBERS = new Set(['mediaType', 'digest', 'size', 'annotations']);

function readTarget(payload: Buffer): Target {
  const p = parseJson(payload, 'PAYLOAD_INVALID', 'the payload');
  if (!isJsonObject(p) || Object.keys(p).join(',') !== 'targetArtifact') {
    return fail('PAYLOAD_INVALID', 'the payload must be exactly {"targetArtifact": …}');
  }
  const t = p.targetArtifact;
  if (!isJsonObject(t)) return fail('PAYLOAD_INVALID', 'targetArtifact is not an object');
  const extra = Object.keys(t).filter((k) => !TARGET_MEMBERS.has(k));
  if (extra.length > 0)
    fail('PAYLOAD_INVALID', `targetArtifact has unexpected member(s) ${extra.join(', ')}`);
  const { mediaType, digest, size, annotations } = t;
  if (typeof mediaType !== 'string' || typeof digest !== 'string') {
    return fail('PAYLOAD_INVALID', 'targetArtifact mediaType and digest must be strings');
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return fail('PAYLOAD_INVALID', 'targetArtifact size must be a non-negative integer');
  }
  if (
    annotations !== undefined &&
    (!isJsonObject(annotations) || Object.values(annotations).some((v) => typeof v !== 'string'))
  ) {
    fail('PAYLOAD_INVALID', 'targetArtifact annotations must map strings to strings');
  }
  return { mediaType, digest, size };
}
