/**
 * Test-only: cosign-format image signatures made without the cosign binary, following cosign's
 * code exactly. cosign (v2.6+/v3) signs a legacy signature by making a Sigstore
 * message-signature bundle over the simple-signing payload and splitting it into layer
 * annotations (`cmd/cosign/cli/sign/sign.go`: `EncodeCertificatesToPEM`,
 * `RekorBundleFromProtoTlogEntry`, `TimestampToRFC3161Timestamp`, `static.NewSignature`); the
 * bundles come from sigstore-js (@sigstore/sign against the private Sigstore in
 * test/sigstore/private-sigstore.ts), so what is split is a genuine bundle.
 */
import { X509Certificate, createHash, sign as nodeSign, type KeyObject } from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, type Signer } from '@sigstore/sign';
import type { CosignLegacyLayer } from '../cosign/legacy.js';
import { SIMPLE_SIGNING_MEDIA_TYPE } from '../cosign/simple-signing.js';

/**
 * The payload cosign signs, byte for byte as Go's encoding/json writes
 * `payload.SimpleContainerImage` (struct field order, `optional` null without annotations).
 */
export function simpleSigningPayload(
  imageDigest: string,
  dockerReference: string,
  optional: Record<string, string> | null = null
): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': imageDigest },
        type: 'cosign container image signature',
      },
      optional,
    })
  );
}

interface BundleJson {
  verificationMaterial: {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    tlogEntries?: {
      logIndex: string;
      logId: { keyId: string };
      integratedTime: string;
      inclusionPromise?: { signedEntryTimestamp: string };
      canonicalizedBody: string;
    }[];
    timestampVerificationData?: { rfc3161Timestamps?: { signedTimestamp: string }[] };
  };
  messageSignature: { signature: string };
}

const pem = (der: Buffer) => new X509Certificate(der).toString();

/** Splits a message-signature bundle over `payload` into a `.sig` layer, as cosign does. */
export function legacyLayerFromBundle(payload: Buffer, bundle: unknown): CosignLegacyLayer {
  const b = bundle as BundleJson;
  const vm = b.verificationMaterial;
  const certs = (
    vm.x509CertificateChain?.certificates ?? (vm.certificate ? [vm.certificate] : [])
  ).map((c) => Buffer.from(c.rawBytes, 'base64'));
  const annotations: Record<string, string> = {
    'dev.cosignproject.cosign/signature': b.messageSignature.signature,
  };
  if (certs.length > 0) {
    annotations['dev.sigstore.cosign/certificate'] = pem(certs[0]!);
    annotations['dev.sigstore.cosign/chain'] = certs.slice(1).map(pem).join('');
  }
  const ts = vm.timestampVerificationData?.rfc3161Timestamps?.[0];
  if (ts) {
    annotations['dev.sigstore.cosign/rfc3161timestamp'] = JSON.stringify({
      SignedRFC3161Timestamp: ts.signedTimestamp,
    });
  }
  const t = vm.tlogEntries?.[0];
  if (t) {
    annotations['dev.sigstore.cosign/bundle'] = JSON.stringify({
      SignedEntryTimestamp: t.inclusionPromise?.signedEntryTimestamp ?? null,
      Payload: {
        body: t.canonicalizedBody,
        integratedTime: Number(t.integratedTime),
        logIndex: Number(t.logIndex),
        logID: Buffer.from(t.logId.keyId, 'base64').toString('hex'),
      },
    });
  }
  return { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, payload, annotations };
}

/** A bare key-signed `.sig` layer (no Rekor, no TSA), as `cosign sign --key --tlog-upload=false`. */
export function keySignedLayer(
  payload: Buffer,
  key: KeyObject,
  hash: string | null
): CosignLegacyLayer {
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    payload,
    annotations: {
      'dev.cosignproject.cosign/signature': nodeSign(hash, payload, key).toString('base64'),
    },
  };
}

/** The in-toto statement cosign v3 signs for an image. */
export function cosignStatement(
  imageDigest: string,
  repo: string,
  predicateType = 'https://sigstore.dev/cosign/sign/v1'
): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: repo, digest: { sha256: imageDigest.slice('sha256:'.length) } }],
      predicateType,
      predicate: {},
    })
  );
}

/** A key-signed DSSE bundle (no witnesses) over `statement`, as `cosign sign --key` v3 without a log. */
export async function keySignedDsseBundle(
  statement: Buffer,
  key: KeyObject,
  publicKeyPem: string,
  hint: string
): Promise<unknown> {
  const signer: Signer = {
    sign: (d: Buffer) =>
      Promise.resolve({
        signature: nodeSign('sha256', d, key),
        key: { $case: 'publicKey', publicKey: publicKeyPem, hint },
      }),
  };
  const b = await new DSSEBundleBuilder({ signer, witnesses: [] }).create({
    data: statement,
    type: 'application/vnd.in-toto+json',
  });
  return bundleToJSON(b);
}

/** A bare-key `sigstore-key` anchor named `name`, as policy YAML under `anchors:`. */
export const keyAnchorYaml = (name: string, pem: string): string => `  ${name}:
    kind: sigstore-key
    publicKey: |
${pem
  .trim()
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
    trustRoot: public-good
    thresholds: { tlog: 0, timestamp: 0 }`;

/** `sha256:<hex>` of bytes. */
export const digestOf = (b: Buffer): string =>
  `sha256:${createHash('sha256').update(b).digest('hex')}`;
