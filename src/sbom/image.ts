/**
 * A container image's CycloneDX SBOM: the image as `metadata.component` (type `container`, a
 * `pkg:oci` purl naming the manifest digest, the manifest's SHA-256, its index, config, platform
 * and layers as properties), its OS as an `operating-system` component, every package with the
 * layer and image part its evidence came from, and, for the all-layers scope, what later layers
 * removed. Pure: the same subject and options give byte-identical output.
 *
 * pkg:oci: https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#oci
 */
import * as CDX from './cdx.js';
import type { OsIdentity } from '../inventory/os/release.js';
import { isInventoryComplete } from '../inventory/completeness.js';
import type { Inventory } from '../model/inventory.js';
import {
  effectiveRunConfig,
  type FunctionImageConfig,
  type RunConfig,
} from '../model/function-image-config.js';
import type { ImageLayer } from '../model/oci.js';
import type { Package } from '../model/package.js';
import {
  addPackageComponents,
  findingProperty,
  newBom,
  NS,
  serialNumber,
  serializeBomModel,
  type BomExtras,
  type SbomOptions,
} from './cyclonedx.js';

/** `squashed`: the image's file system; `all-layers`: also what later layers removed. */
export type ImageScope = 'squashed' | 'all-layers';

/** A package a later layer removed (all-layers scope). */
export interface RemovedPackage {
  package: Package;
  /** Layer (0-based) its evidence came from. */
  layer: number;
  /** Layer whose whiteout or entry removed it. */
  removedBy: number;
}

/** What the SBOM says about an image: its identity, layers, OS and inventory. */
export interface ImageSubject {
  /** The reference as the user gave it. */
  name: string;
  transport: 'oci' | 'docker-archive' | 'registry';
  /** `host/repository` for a registry image. */
  repositoryUrl?: string;
  /** Tag or layout ref name, when the reference used one. */
  tag?: string;
  /**
   * The image's own name where there is no repository (an OCI layout): the purl's name. By the
   * pkg:oci rules the last segment of a repository; default `image`.
   */
  imageName?: string;
  /** The platform manifest's digest; a docker-archive has none. */
  manifestDigest?: string;
  manifestMediaType?: string;
  /** The index the reference named, if any. */
  indexDigest?: string;
  configDigest: string;
  /** `os/arch[/variant]`. */
  platform: string;
  /** The config's architecture, for the purl's `arch`. */
  architecture: string;
  layers: readonly ImageLayer[];
  /** Uncompressed bytes of all layers. */
  size: number;
  scope: ImageScope;
  os?: OsIdentity;
  /** What the container runs: the config's entry point, command and working directory. */
  run?: RunConfig;
  inventory: Inventory;
  removed: readonly RemovedPackage[];
  /** The Lambda function that runs the image, for `sbom --function`. */
  lambda?: ImageFunctionFacts;
}

/** What Lambda says about a container-image function (GetFunction). */
export interface ImageFunctionFacts {
  functionArn: string;
  /** CodeSha256 as Lambda reports it (base64). */
  codeSha256?: string;
  /** The image URI the function was deployed with (a tag or a digest). */
  imageUri: string;
  /** The image by digest, as Lambda resolved it at deploy time. */
  resolvedImageUri: string;
  architectures: readonly string[];
  /**
   * The function's own settings (GetFunction's `ImageConfigResponse.ImageConfig`), which
   * override the image config's entry point, command and working directory.
   */
  imageConfig?: FunctionImageConfig;
}

/** `pkg:oci/NAME@sha256%3A…?arch=…&repository_url=…&tag=…`, or undefined without a manifest digest. */
export function ociPurl(s: ImageSubject): string | undefined {
  if (!s.manifestDigest) return undefined;
  const repo = s.repositoryUrl;
  const last = (repo ?? s.imageName ?? 'image').split('/').pop() ?? 'image';
  const name = /^[a-z0-9][a-z0-9._-]*$/.test(last.toLowerCase()) ? last.toLowerCase() : 'image';
  const q: string[] = [`arch=${encodeURIComponent(s.architecture)}`];
  if (repo)
    q.push(`repository_url=${encodeURIComponent(repo).replace(/%2F/g, '/').replace(/%3A/g, ':')}`);
  if (s.tag) q.push(`tag=${encodeURIComponent(s.tag)}`);
  return `pkg:oci/${name}@${encodeURIComponent(s.manifestDigest)}?${q.join('&')}`;
}

const hex = (d: string): string => d.replace(/^sha256:/, '');

/**
 * The image's facts, as `lamina:` property names (without the prefix) and values, in one order:
 * the CycloneDX image component's properties and the SPDX image package's comment.
 */
export function imageFacts(s: ImageSubject): [string, string][] {
  const out: [string, string][] = [];
  const add = (k: string, v: string | undefined): void => {
    if (v !== undefined && v !== '') out.push([k, v]);
  };
  const list = (v: readonly string[] | undefined): string | undefined =>
    v ? JSON.stringify(v) : undefined;
  add('input-kind', 'image');
  add('image:reference', s.name);
  add('image:transport', s.transport);
  // A docker-archive has no manifest: the config digest and the diffIDs are all that name it.
  add('image:identity', s.manifestDigest ? 'manifest-digest' : 'config-digest-and-diff-ids');
  add('image:index-digest', s.indexDigest);
  add('image:manifest-digest', s.manifestDigest);
  add('image:manifest-media-type', s.manifestMediaType);
  add('image:config-digest', s.configDigest);
  add('image:platform', s.platform);
  add('image:scope', s.scope);
  add('image:entrypoint', list(s.run?.entrypoint));
  add('image:cmd', list(s.run?.cmd));
  add('image:working-dir', s.run?.workingDir);
  add('size', String(s.size));
  for (const l of s.layers) {
    const n = String(l.index).padStart(3, '0');
    add(`image:layer:${n}:diff-id`, l.diffId);
    if (s.transport !== 'docker-archive' || l.digest !== l.diffId) {
      add(`image:layer:${n}:digest`, l.digest);
    }
    add(`image:layer:${n}:media-type`, l.mediaType);
  }
  const fn = s.lambda;
  if (fn) {
    add('lambda:function-arn', fn.functionArn);
    add('lambda:code-sha256', fn.codeSha256);
    add('lambda:image-uri', fn.imageUri);
    add('lambda:resolved-image-uri', fn.resolvedImageUri);
    add('lambda:architectures', fn.architectures.join(','));
    const o = fn.imageConfig;
    add('lambda:image-config:entrypoint', list(o?.entryPoint));
    add('lambda:image-config:command', list(o?.command));
    add('lambda:image-config:working-directory', o?.workingDirectory);
    // What Lambda runs: the function's settings win over the image config's.
    const runs = effectiveRunConfig(s.run ?? {}, o);
    add('lambda:entrypoint', list(runs.entrypoint));
    add('lambda:cmd', list(runs.cmd));
    add('lambda:working-dir', runs.workingDir);
  }
  add('inventory', complete(s) ? 'complete' : 'incomplete');
  return out;
}

function imageComponent(s: ImageSubject): CDX.T.Models.Component {
  const c = new CDX.Models.Component(CDX.Enums.ComponentType.Container, s.repositoryUrl ?? s.name, {
    bomRef: 'image',
    ...(s.tag !== undefined ? { version: s.tag } : {}),
  });
  const purl = ociPurl(s);
  if (purl) c.purl = purl;
  if (s.manifestDigest) c.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], hex(s.manifestDigest));
  for (const [k, v] of imageFacts(s)) c.properties.add(new CDX.Models.Property(`${NS}:${k}`, v));
  for (const f of s.inventory.findings) c.properties.add(findingProperty(f));
  return c;
}

/** The OS's facts as `lamina:` property names (without the prefix) and values. */
export function osFacts(os: OsIdentity): [string, string][] {
  const out: [string, string][] = [['os:release-file', os.path]];
  if (os.name !== undefined) out.push(['os:name', os.name]);
  if (os.versionCodename !== undefined) out.push(['os:version-codename', os.versionCodename]);
  if (os.idLike.length > 0) out.push(['os:id-like', os.idLike.join(' ')]);
  if (os.cpeName !== undefined) out.push(['os:cpe', os.cpeName]);
  return out;
}

/** The OS's home page, when it is an http(s) URL. */
export function osHomepage(os: OsIdentity): string | undefined {
  return os.homeUrl && /^https?:\/\/[^\s]+$/.test(os.homeUrl) ? os.homeUrl : undefined;
}

/**
 * The packages later layers removed (all-layers scope), per layer that wrote them in layer
 * order, each a copy marked `removed-by-layer`.
 */
export function removedByLayer(s: ImageSubject): [number, Package[]][] {
  const byLayer = new Map<number, Package[]>();
  for (const r of s.removed) {
    const p: Package = {
      ...r.package,
      properties: { ...r.package.properties, 'removed-by-layer': String(r.removedBy) },
    };
    const list = byLayer.get(r.layer) ?? [];
    list.push(p);
    byLayer.set(r.layer, list);
  }
  return [...byLayer].sort((a, b) => a[0] - b[0]);
}

function osComponent(os: OsIdentity): CDX.T.Models.Component {
  const c = new CDX.Models.Component(CDX.Enums.ComponentType.OperatingSystem, os.id, {
    bomRef: 'os',
    ...(os.versionId !== undefined ? { version: os.versionId } : {}),
    ...(os.prettyName !== undefined ? { description: os.prettyName } : {}),
  });
  for (const [k, v] of osFacts(os)) c.properties.add(new CDX.Models.Property(`${NS}:${k}`, v));
  const home = osHomepage(os);
  if (home) {
    c.externalReferences.add(
      new CDX.Models.ExternalReference(home, CDX.Enums.ExternalReferenceType.Website)
    );
  }
  return c;
}

/**
 * Complete only when the inventory saw everything: no gap finding, no unowned executable. What
 * a later layer removed cannot run, so it does not make the image incomplete.
 */
function complete(s: ImageSubject): boolean {
  return isInventoryComplete(s.inventory);
}

/** Options as for a layer SBOM, without the mount point (image paths are absolute). */
export type ImageSerializeOptions = Omit<SbomOptions, 'mount'>;

/** Serialize an image's SBOM (CycloneDX JSON or XML). */
export function serializeImageSbom(s: ImageSubject, options: ImageSerializeOptions): string {
  const bom = newBom(
    serialNumber(
      `${options.specVersion}\0image\0${s.manifestDigest ?? s.configDigest}\0${s.layers
        .map((l) => l.diffId)
        .join(' ')}\0${s.scope}\0${s.name}`
    ),
    options.timestamp
  );
  const image = imageComponent(s);
  bom.metadata.component = image;
  if (s.os) {
    const os = osComponent(s.os);
    bom.components.add(os);
    image.dependencies.add(os.bomRef);
  }
  const occurrences = new Map<string, string[]>();
  addPackageComponents(bom, s.inventory.packages, image, occurrences, { mount: '' });
  // Removed packages, per layer that wrote them, kept apart from the live ones.
  for (const [layer, packages] of removedByLayer(s)) {
    addPackageComponents(bom, packages, image, occurrences, {
      mount: '',
      refPrefix: `removed-layer-${layer}:`,
    });
  }
  const extras: BomExtras = {
    occurrences,
    composition: {
      aggregate: complete(s) ? 'complete' : 'incomplete',
      assemblies: ['image'],
    },
  };
  return serializeBomModel(bom, extras, options);
}
