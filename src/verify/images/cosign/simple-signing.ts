/**
 * The simple-signing payload cosign signs for an image (layer media type
 * `application/vnd.dev.cosign.simplesigning.v1+json`), read strictly, the way containers/image
 * reads it (`internal/signature/sigstore_payload.go`): exactly `critical` and `optional` at the top,
 * exactly `type`, `image`, `identity` in `critical`, exactly `docker-manifest-digest` in `image`
 * and exactly `docker-reference` in `identity`. cosign's own verifier uses Go struct decoding,
 * which matches keys case-insensitively and ignores unknown ones; refusing both keeps lamina's
 * reading the only reading.
 */
import { isJsonObject, parseStrictJson, type JsonValue } from '../../../util/strict-json.js';

/** The layer media type of a cosign simple-signing signature. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The only `critical.type` cosign writes for an image signature. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

/** What a payload says, once read. */
export interface SimpleSigningPayload {
  readonly type: string;
  readonly dockerManifestDigest: string;
  readonly dockerReference: string;
  /** `optional` as signed (null when cosign wrote no annotations). */
  readonly optional: { readonly [k: string]: JsonValue } | null;
}

/** Why a payload was refused: not the simple-signing shape, or not an image signature. */
export class SimpleSigningError extends Error {
  constructor(
    readonly code: 'PAYLOAD_INVALID' | 'PAYLOAD_TYPE',
    message: string
  ) {
    super(message);
  }
}

function exactly(v: JsonValue | undefined, keys: readonly string[], where: string) {
  if (!isJsonObject(v))
    throw new SimpleSigningError('PAYLOAD_INVALID', `${where} is not an object`);
  const got = Object.keys(v).sort();
  if (got.join(',') !== [...keys].sort().join(',')) {
    throw new SimpleSigningError(
      'PAYLOAD_INVALID',
      `${where} has members ${got.join(', ') || '(none)'}, expected exactly ${keys.join(', ')}`
    );
  }
  return v;
}

function str(v: JsonValue | undefined, where: string): string {
  if (typeof v !== 'string')
    throw new SimpleSigningError('PAYLOAD_INVALID', `${where} is not a string`);
  return v;
}

/** Reads a simple-signing payload; throws {@link SimpleSigningError}. */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigningPayload {
  let doc: JsonValue;
  try {
    doc = parseStrictJson(bytes);
  } catch (e) {
    throw new SimpleSigningError(
      'PAYLOAD_INVALID',
      `the payload is not strict JSON: ${e instanceof Error ? e.message : String(e)}`
    );
  }
  const top = exactly(doc, ['critical', 'optional'], 'the payload');
  const critical = exactly(top.critical, ['type', 'image', 'identity'], 'critical');
  const type = str(critical.type, 'critical.type');
  if (type !== COSIGN_SIGNATURE_TYPE) {
    throw new SimpleSigningError(
      'PAYLOAD_TYPE',
      `critical.type is ${JSON.stringify(type)}, not ${JSON.stringify(COSIGN_SIGNATURE_TYPE)}`
    );
  }
  const image = exactly(critical.image, ['docker-manifest-digest'], 'critical.image');
  const identity = exactly(critical.identity, ['docker-reference'], 'critical.identity');
  const optional = top.optional;
  if (optional !== null && !isJsonObject(optional)) {
    throw new SimpleSigningError('PAYLOAD_INVALID', 'optional is neither null nor an object');
  }
  return {
    type,
    dockerManifestDigest: str(
      image['docker-manifest-digest'],
      'critical.image.docker-manifest-digest'
    ),
    dockerReference: str(identity['docker-reference'], 'critical.identity.docker-reference'),
    optional: optional ?? null,
  };
}
