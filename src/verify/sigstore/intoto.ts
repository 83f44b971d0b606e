/**
 * in-toto Statement checks for DSSE bundles. sigstore-js verifies the envelope signature
 * but not what it is about, so the subject-to-artifact binding is ours.
 * Spec: https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 */

/** The DSSE payloadType of an in-toto Statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * The predicate type cosign signs with (`cosign sign`, cmd/cosign/cli/sign/sign.go): a statement
 * that its subject is signed, with an empty predicate. What a Sigstore anchor accepts from a DSSE
 * bundle unless it names other predicate types.
 */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';

/** Statement `_type` values accepted (v1 and the older v0.1). */
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = [
  'https://in-toto.io/Statement/v1',
  'https://in-toto.io/Statement/v0.1',
];

/** What lamina keeps from a Statement. */
export interface InTotoStatementSummary {
  readonly predicateType: string;
  readonly subjects: readonly { name?: string; sha256?: string }[];
}

/** Result of parsing: either a summary or the reason it is not a usable Statement. */
export type ParsedStatement =
  { ok: true; statement: InTotoStatementSummary } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses an in-toto Statement from a DSSE payload. */
export function parseInTotoStatement(payloadType: string, payload: Buffer): ParsedStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return {
      ok: false,
      reason: `DSSE payloadType is ${payloadType}, expected ${IN_TOTO_PAYLOAD_TYPE}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'DSSE payload is not JSON' };
  }
  if (!isObject(json)) return { ok: false, reason: 'in-toto Statement is not an object' };
  if (typeof json._type !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(json._type)) {
    return { ok: false, reason: `unsupported in-toto _type ${String(json._type)}` };
  }
  if (typeof json.predicateType !== 'string') {
    return { ok: false, reason: 'in-toto Statement has no predicateType' };
  }
  if (!Array.isArray(json.subject) || json.subject.length === 0) {
    return { ok: false, reason: 'in-toto Statement has no subject' };
  }
  const subjects = json.subject.map((s: unknown) => {
    const name = isObject(s) && typeof s.name === 'string' ? s.name : undefined;
    const digest = isObject(s) && isObject(s.digest) ? s.digest : undefined;
    const sha256 = typeof digest?.sha256 === 'string' ? digest.sha256.toLowerCase() : undefined;
    return { ...(name !== undefined && { name }), ...(sha256 !== undefined && { sha256 }) };
  });
  return { ok: true, statement: { predicateType: json.predicateType, subjects } };
}

/** True when some subject's sha256 equals `sha256Hex` (hex compare, case-insensitive). */
export function statementCoversDigest(s: InTotoStatementSummary, sha256Hex: string): boolean {
  const want = sha256Hex.toLowerCase();
  return s.subjects.some((sub) => sub.sha256 === want);
}
