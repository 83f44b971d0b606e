/**
 * SPDX 2.3 JSON for a container image, from the same subject as the CycloneDX image SBOM
 * (image.ts). Spec: https://spdx.github.io/spdx-spec/v2.3/
 *
 * What goes where:
 * - the image is the package the document DESCRIBES (`primaryPackagePurpose` CONTAINER,
 *   `filesAnalyzed` true: its layers were read), with the `pkg:oci` purl as a PACKAGE-MANAGER
 *   external reference and the manifest's SHA256 as its checksum (a docker-archive has no
 *   manifest: no checksum and no purl, and `lamina:image:identity=config-digest-and-diff-ids`);
 * - the OS is a package (OPERATING_SYSTEM) the image CONTAINS;
 * - every package and unowned file is as in a layer SPDX document (spdx.ts), CONTAINED by the
 *   image; the layer it came from and its image part (function code, /opt, runtime, OS) are
 *   `lamina:layer-index`, `lamina:layer-diffid` and `lamina:image-part` lines of its comment;
 * - the image's own facts (reference, digests, platform, layers, entry point, and for a
 *   function its ARN, CodeSha256, image URIs and overrides) are `lamina:` lines of the image
 *   package's comment, the same names as the CycloneDX properties;
 * - packages later layers removed (all-layers scope) carry `lamina:removed-by-layer`.
 *
 * Deterministic as the layer document: `created` is the Unix epoch unless given.
 */
import type { OsIdentity } from '../inventory/os/release.js';
import {
  imageFacts,
  ociPurl,
  osFacts,
  osHomepage,
  removedByLayer,
  type ImageSubject,
} from './image.js';
import {
  addPackages,
  completenessComment,
  findingText,
  propertiesComment,
  renderSpdxDocument,
  SPDX_DOCUMENT_ID,
  SPDX_NOASSERTION as NOASSERTION,
  SpdxBuilder,
  type SpdxDocument,
  type SpdxOptions,
} from './spdx.js';

/** The SPDX document of an image (see the file comment). Pure. */
export function buildImageSpdx(
  s: ImageSubject,
  options: Pick<SpdxOptions, 'created'> = {}
): SpdxDocument {
  const b = new SpdxBuilder(options.created);
  const identity = s.manifestDigest ?? s.configDigest;
  const imageId = b.id('Image', `${identity}\0${s.name}`);
  const purl = ociPurl(s);
  const findings = s.inventory.findings;
  b.packages.push({
    SPDXID: imageId,
    name: s.repositoryUrl ?? s.name,
    ...(s.tag !== undefined ? { versionInfo: s.tag } : {}),
    downloadLocation: NOASSERTION,
    // Every layer was read: the image may contain files.
    filesAnalyzed: true,
    primaryPackagePurpose: 'CONTAINER',
    ...(s.manifestDigest
      ? {
          checksums: [
            {
              algorithm: 'SHA256' as const,
              checksumValue: s.manifestDigest.slice('sha256:'.length),
            },
          ],
        }
      : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    comment: propertiesComment(imageFacts(s))!,
    ...(purl
      ? {
          externalRefs: [
            { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl },
          ],
        }
      : {}),
    ...(findings.length > 0
      ? { annotations: findings.map((f) => b.annotation(findingText(f))) }
      : {}),
  });
  b.relate(SPDX_DOCUMENT_ID, 'DESCRIBES', imageId);
  if (s.os) b.relate(imageId, 'CONTAINS', addOs(b, s.os));
  addPackages(b, imageId, s.inventory.packages, { mount: '' });
  for (const [layer, packages] of removedByLayer(s))
    addPackages(b, imageId, packages, { mount: '', keyPrefix: `removed-layer-${layer}:` });
  const named = s.manifestDigest
    ? `manifest ${s.manifestDigest}`
    : `no manifest digest (docker-archive): config ${s.configDigest} and layer diffIDs`;
  return b.document(s.name, `${completenessComment(s.inventory)} Image identity: ${named}.`);
}

function addOs(b: SpdxBuilder, os: OsIdentity): string {
  const id = b.id('OperatingSystem', `${os.id}\0${os.versionId ?? ''}`);
  const home = osHomepage(os);
  b.packages.push({
    SPDXID: id,
    name: os.id,
    ...(os.versionId !== undefined ? { versionInfo: os.versionId } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: 'OPERATING_SYSTEM',
    ...(home ? { homepage: home } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(os.prettyName !== undefined ? { description: os.prettyName } : {}),
    comment: propertiesComment(osFacts(os))!,
  });
  return id;
}

/** {@link buildImageSpdx}, serialized (pretty JSON, newline-terminated). */
export function serializeImageSpdx(
  s: ImageSubject,
  options: Pick<SpdxOptions, 'created'> = {}
): string {
  return renderSpdxDocument(buildImageSpdx(s, options));
}
