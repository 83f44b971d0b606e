/**
 * Container image use cases: the one way every command opens an image (OCI layout,
 * docker-archive, registry), inventories it and writes its SBOM.
 *
 * Order: the reference is resolved and every document verified (src/fetch/image); each layer is
 * streamed once into the content-addressed cache (compressed digest and size, then the diffID,
 * checked in that single pass) and only then indexed by offset with lamina's tar reader, which
 * refuses ambiguous layers; the layers are squashed with OCI whiteouts into one read-only
 * FileSource, and the catalogers run over it with the image root's ownership rules.
 */
import { basename, resolve } from 'node:path';
import { ClientFactory, DEFAULT_PRINCIPAL } from '../fetch/aws/clients.js';
import { ContentCache } from '../fetch/cache.js';
import type { ArchiveIndexer, ArchiveMember } from '../fetch/image/docker-archive.js';
import {
  DEFAULT_MAX_IMAGE_BYTES,
  type ImageHandle,
  type ResolvedImage,
} from '../fetch/image/handle.js';
import { formatPlatform, parsePlatform } from '../fetch/image/platform.js';
import { classifyImageInput } from '../fetch/image/reference.js';
import { EcrAccess } from '../fetch/aws/ecr-images.js';
import { RETRY, type RetryPolicy } from '../fetch/retry.js';
import { ecrImageOf, withEcrImage } from './ecr-image.js';
import { resolveImage } from '../fetch/image/resolve.js';
import type { SpooledLayer } from '../fetch/image/spool.js';
import { ecrTokenProvider, type EcrTokenProvider } from '../fetch/registry/ecr.js';
import { loadDockerConfig } from '../fetch/registry/credentials.js';
import { connectRegistry, type RegistryClientOptions } from '../fetch/registry/client.js';
import { registryOptions } from '../fetch/registry/options.js';
import { RegistryStore } from '../fetch/registry/store.js';
import { attributeImagePackages, imagePartOf } from '../inventory/image.js';
import { buildInventory } from '../inventory/index.js';
import { detectOs, type OsIdentity } from '../inventory/os/release.js';
import {
  asWalked,
  configuredPaths,
  configuredProgram,
  interpreterLibraries,
  preloadFromEnv,
  programCopies,
  programFiles,
  programNames,
  searchPath,
} from '../inventory/binary/preload.js';
import {
  commandLines,
  START_CONFIG_MAX,
  startConfigFiles,
  configEnvFindings,
  interpreterScripts,
  readsOptionsOf,
  startArgFindings,
} from '../inventory/config-env.js';
import { imageHandlerFindings } from '../inventory/image-handler.js';
import type { Finding } from '../model/finding.js';
import { effectiveRunConfig, type FunctionImageConfig } from '../model/function-image-config.js';
import type { Artifact, Inventory } from '../model/inventory.js';
import type { Platform } from '../model/oci.js';
import type { Package } from '../model/package.js';
import {
  serializeImageSbom,
  type ImageScope,
  type ImageSubject,
  type RemovedPackage,
} from '../sbom/image.js';
import { openFileAccess, type RandomAccess } from '../unpack/random-access.js';
import type { LinkIndex } from '../unpack/links.js';
import type { FileSource, Limits } from '../unpack/source.js';
import { squashLayers, type SquashedImage } from '../unpack/squash.js';
import { indexTarAccess } from '../unpack/tar.js';
import type { TarEntry } from '../unpack/tar-index.js';
import {
  resolveCacheDir,
  resolveLimits,
  type AwsAccessOptions,
  type LimitOptions,
} from './options.js';
import { renderSboms, type Rendered, type SbomFormatOptions } from './sbom-formats.js';
import { serializeImageSpdx } from '../sbom/image-spdx.js';

export { isImageInput } from './image-input.js';

export type { ImageScope, RemovedPackage } from '../sbom/image.js';

/** Bounds for a whole image. */
export interface ImageLimits {
  /** Most uncompressed bytes all layers may have together (default 10 GiB, Lambda's limit). */
  maxImageBytes?: number;
  /** Most entries in one layer and in the squashed image (default 1,000,000). */
  maxImageEntries?: number;
}

/** How an image is reached: registry credentials and transport, the platform wanted, the cache. */
export interface ImageAccessOptions extends AwsAccessOptions {
  /**
   * `os/arch[/variant]` (or parsed). For an index, default linux/amd64; for a single manifest,
   * when given, its config must match.
   */
  platform?: string | Platform;
  /** Docker `config.json`-style credentials; wins over Docker's own config. */
  registryAuth?: string;
  /** Hosts (`HOST[:PORT]`) that may be reached over plain http; loopback always may. */
  insecureRegistries?: readonly string[];
  /** Read Docker's config.json (`$DOCKER_CONFIG` or `~/.docker`) for credentials; default true. */
  dockerConfig?: boolean;
  /** ECR credentials; default: `ecr:GetAuthorizationToken` through the AWS SDK with `aws`. */
  ecrToken?: EcrTokenProvider;
  /**
   * The run's AWS client factory (an estate scan's, say), used for ECR tokens instead of one made
   * from `aws`; the caller keeps ownership (it is not destroyed on close).
   */
  awsClients?: ClientFactory;
}

/** Options for {@link openImage}. */
export interface OpenImageOptions extends ImageAccessOptions, LimitOptions {
  imageLimits?: ImageLimits;
}

/** An image opened for reading: its verified documents and its squashed file system. */
export interface OpenedImage {
  /** The verified index/manifest/config and layer descriptors. */
  image: ResolvedImage;
  /** The layers as verified, uncompressed tars in the cache, base first. */
  layers: readonly SpooledLayer[];
  /** The squashed file system (OCI whiteouts applied), read by offset from the cache. */
  filesystem: SquashedImage;
  /** Release the layer files and any registry connection. */
  close(): Promise<void>;
}

/** The platform option as a Platform. */
function platformOf(p: string | Platform | undefined): Platform | undefined {
  return typeof p === 'string' ? parsePlatform(p) : p;
}

/** ECR credentials through the run's AWS client factory, one token per Region. */
function ecrTokens(factory: ClientFactory): EcrTokenProvider {
  const perRegion = new Map<string, EcrTokenProvider>();
  return async (registry) => {
    let provider = perRegion.get(registry.region);
    if (!provider) {
      const client = await factory.ecr(DEFAULT_PRINCIPAL, registry.region);
      provider = ecrTokenProvider(() => client);
      perRegion.set(registry.region, provider);
    }
    return provider(registry);
  };
}

/** lamina's tar reader as the docker-archive member lister (refuses ambiguous outer tars). */
export const listArchiveMembers: ArchiveIndexer = async (file, { maxMembers }) => {
  const access = await openFileAccess(file, `docker-archive:${file}`);
  try {
    const index = await indexTarAccess(access, {
      name: `docker-archive:${file}`,
      limits: { maxEntries: maxMembers },
    });
    return index.entries.map(archiveMember);
  } finally {
    await access.close();
  }
};

function archiveMember(e: TarEntry): ArchiveMember {
  const type: ArchiveMember['type'] =
    e.type === 'dir'
      ? 'directory'
      : e.type === 'file' || e.type === 'symlink' || e.type === 'hardlink'
        ? e.type
        : 'other';
  return {
    name: e.path,
    type,
    size: e.type === 'file' ? e.size : 0,
    dataOffset: e.dataOffset,
    ...(e.linkName !== undefined && (type === 'symlink' || type === 'hardlink')
      ? { linkname: e.linkName }
      : {}),
  };
}

/** An image resolved and verified, its layers not yet brought in. */
export interface ResolvedImageReference {
  /** The verified index/manifest/config and layer descriptors (`handle.image`). */
  image: ResolvedImage;
  /** Brings layers in (`spoolLayers`) or opens a stored layer; closed by `close`. */
  handle: ImageHandle;
  /** Release the registry connection and the AWS clients made for ECR. */
  close(): Promise<void>;
}

/** Registry credentials and transport as the options say; ECR tokens through `factory`. */
function imageRegistryOptions(
  options: ImageAccessOptions,
  factory: ClientFactory
): Promise<RegistryClientOptions> {
  return registryOptions({
    ...(options.registryAuth !== undefined ? { registryAuth: options.registryAuth } : {}),
    ...(options.insecureRegistries ? { insecureRegistries: options.insecureRegistries } : {}),
    ...(options.dockerConfig !== undefined ? { dockerConfig: options.dockerConfig } : {}),
    ecrToken: options.ecrToken ?? ecrTokens(factory),
  });
}

/**
 * One registry repository as a store (signatures, pinned indexes), reached the way
 * {@link resolveImageReference} reaches it (credentials, ECR tokens and a local endpoint's
 * registry). `close` releases the connection and the AWS clients made for ECR.
 */
export function openRegistryRepository(
  registry: string,
  repository: string,
  options: ImageAccessOptions = {}
): Promise<{ store: RegistryStore; close(): Promise<void> }> {
  return withImageClients(options, async (factory) => {
    const client = await connectRegistry(registry, await imageRegistryOptions(options, factory));
    const store = new RegistryStore(client, repository);
    return { store, close: () => store.close() };
  });
}

/**
 * Runs `open` with the AWS client factory ECR tokens go through: the caller's `awsClients`, or
 * one made here and destroyed when the result is closed (or when opening fails).
 */
async function withImageClients<T extends { close(): Promise<void> }>(
  options: ImageAccessOptions,
  open: (factory: ClientFactory) => Promise<T>
): Promise<T> {
  if (options.awsClients) return open(options.awsClients);
  const factory = new ClientFactory(options.aws ?? {});
  try {
    const opened = await open(factory);
    return {
      ...opened,
      close: async () => {
        try {
          await opened.close();
        } finally {
          factory.destroy();
        }
      },
    };
  } catch (err) {
    factory.destroy();
    throw err;
  }
}

/**
 * Resolve an image reference without bringing its layers in: the verified manifest, config and
 * layer descriptors (what signature verification needs). Call `close` when done.
 * @throws ImageError (bad reference or platform, refused or tampered documents: exit 2),
 *   RegistryError (registry or cache could not complete: exit 3), UnpackError (a refused
 *   docker-archive tar)
 */
export function resolveImageReference(
  reference: string,
  options: ImageAccessOptions = {}
): Promise<ResolvedImageReference> {
  return withImageClients(options, async (factory) => {
    const registry = await imageRegistryOptions(options, factory);
    const platform = platformOf(options.platform);
    const handle = await resolveImage(reference, {
      ...(platform ? { platform } : {}),
      registry,
      archiveIndexer: listArchiveMembers,
    });
    return { image: handle.image, handle, close: () => handle.close() };
  });
}

/**
 * Open an image: resolve and verify it, bring every layer into the cache (one streaming pass
 * each: compressed digest and size, then diffID), index each layer with the tar reader and
 * squash them. Call `close` when done.
 * @throws as {@link resolveImageReference}, and UnpackError for a refused layer (tar ambiguity,
 *   an entry under a lower-layer file, too many entries or bytes)
 */
export async function openImage(
  reference: string,
  options: OpenImageOptions = {}
): Promise<OpenedImage> {
  const resolved = await resolveImageReference(reference, options);
  return openResolvedImage(resolved.handle, options, () => resolved.close());
}

/**
 * Open an image already resolved (the scan resolves each digest itself): layers into the cache,
 * indexed and squashed as {@link openImage} does. `release` runs when the result is closed (or
 * when opening fails), after the layer files are closed.
 */
export async function openResolvedImage(
  handle: ImageHandle,
  options: OpenImageOptions & { retry?: RetryPolicy } = {},
  release: () => Promise<void> = () => Promise.resolve()
): Promise<OpenedImage> {
  const accesses: RandomAccess[] = [];
  const close = async (): Promise<void> => {
    try {
      for (const a of accesses) await a.close();
    } finally {
      await release();
    }
  };
  try {
    const image = handle.image;
    const maxImageBytes = options.imageLimits?.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
    const maxEntries = options.imageLimits?.maxImageEntries;
    const cache = new ContentCache(resolveCacheDir(options.cacheDir), 'tar');
    const layers = await handle.spoolLayers(cache, {
      maxImageBytes,
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const inputs = [];
    for (const l of layers) {
      const name = `${image.name} layer ${l.layer.index} (${l.layer.diffId})`;
      const access = await openFileAccess(l.path, name);
      accesses.push(access);
      // The file was verified against its diffID as it was written: index headers only.
      const index = await indexTarAccess(access, {
        name,
        limits: {
          maxSize: maxImageBytes,
          ...(maxEntries !== undefined ? { maxEntries } : {}),
        },
      });
      inputs.push({ index, access, diffId: l.layer.diffId, digest: l.layer.digest });
    }
    const filesystem = squashLayers(inputs, {
      name: image.name,
      digest: identityHex(image),
      limits: {
        maxImageSize: maxImageBytes,
        ...(maxEntries !== undefined ? { maxEntries } : {}),
      },
      readLimits: resolveLimits(options.limits),
    });
    return { image, layers, filesystem, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The image's identity as hex: its manifest digest, or for a docker-archive its config digest. */
function identityHex(image: ResolvedImage): string {
  return (image.manifestDigest ?? image.configDigest).slice('sha256:'.length);
}

/** Options for {@link inventoryImage}. */
export interface InventoryImageOptions extends OpenImageOptions {
  /**
   * `squashed` (default): what the image's file system holds. `all-layers`: also what a later
   * layer removed or replaced, each such package marked with the layer that removed it.
   */
  scope?: ImageScope;
  /**
   * The image settings of the Lambda function that runs it: its entry point, command and
   * working directory replace the config's, so what they name is read and what they load is
   * reported as the config's own is (the config's are still checked: it runs elsewhere too).
   */
  functionConfig?: FunctionImageConfig;
}

/** An image's inventory and what the SBOM says about the image itself. */
export interface ImageInventory {
  /** Packages of the squashed file system, each with its image part and layer. */
  inventory: Inventory;
  /** The verified image documents. */
  image: ResolvedImage;
  /** The OS the image says it is (os-release / system-release), when it says. */
  os?: OsIdentity;
  /** `all-layers` only: packages later layers removed, with the layer that removed them. */
  removed: RemovedPackage[];
  scope: ImageScope;
  /** Uncompressed bytes of all layers. */
  size: number;
}

/**
 * Open an image and inventory it (every cataloger, OS packages owning the system's files).
 * @throws as {@link openImage}
 */
export async function inventoryImage(
  reference: string,
  options: InventoryImageOptions = {}
): Promise<ImageInventory> {
  const ecrImage = options.ecrToken ? undefined : ecrImageOf(await classifyImageInput(reference));
  // `--registry-auth` credentials for the host win over a token, as they do for any registry.
  const explicit =
    ecrImage !== undefined &&
    options.registryAuth !== undefined &&
    (await loadDockerConfig(options.registryAuth, true)).get(ecrImage.host) !== undefined;
  if (ecrImage && !explicit) {
    // An ECR registry: its token says where its API is (a local endpoint's registry front).
    const own = options.awsClients === undefined;
    const factory = options.awsClients ?? new ClientFactory(options.aws ?? {});
    try {
      const platform = platformOf(options.platform);
      return await withEcrImage(
        new EcrAccess(factory, RETRY.lookup.api),
        ecrImage,
        { ...(platform ? { platform } : {}) },
        ({ handle }) => inventoryHandle(handle, options)
      );
    } finally {
      if (own) factory.destroy();
    }
  }
  const opened = await openImage(reference, options);
  try {
    return await inventoryOpened(opened, options);
  } finally {
    await opened.close();
  }
}

/** Open a resolved image (the caller closes the handle), inventory it, close the layers. */
export async function inventoryHandle(
  handle: ImageHandle,
  options: InventoryImageOptions & { retry?: RetryPolicy } = {}
): Promise<ImageInventory> {
  const opened = await openResolvedImage(handle, options);
  try {
    return await inventoryOpened(opened, options);
  } finally {
    await opened.close();
  }
}

/** Inventory an image already opened with {@link openImage} (it stays open). */
export async function inventoryOpened(
  opened: OpenedImage,
  options: Pick<InventoryImageOptions, 'scope' | 'limits' | 'functionConfig'> = {}
): Promise<ImageInventory> {
  const { image, filesystem } = opened;
  const limits = resolveLimits(options.limits);
  const scope = options.scope ?? 'squashed';
  const fn = options.functionConfig;
  const runs = effectiveRunConfig(image.config, fn);
  const taskRoot = taskRootOf(image.config.env, runs.workingDir);
  // A file the start names by path may be what it execs: its program, or a wrapper's command
  // (`env /x/run.sh`, `tini -- /x/run.sh`), which the kernel runs as it runs the program.
  const programs = [
    configuredProgram(image.config),
    ...configuredPaths(image.config),
    ...(fn ? [configuredProgram(runs), ...configuredPaths(runs)] : []),
  ];
  const path = searchPath(image.config.env, runs.workingDir);
  // What the start's words are as programs, copies included: set by findings, which runs before
  // any cataloger, for the binary cataloger's scripts.
  let known: ((word: string) => string[]) | undefined;
  // The configuration files the start's programs read on their own (a bunfig's preload runs
  // scripts): read by findings too.
  let texts: ReadonlyMap<string, string | null> = new Map();
  const exec = {
    programs: [...new Set(programs.filter((p): p is string => p !== undefined))],
    searchPath: path,
    // An interpreter's script, known by the names the image's links give its program.
    scripts: (links: LinkIndex) =>
      [image.config, ...(fn ? [runs] : [])].flatMap((c) =>
        interpreterScripts(c, {
          names: known ?? programNames(links, path, c.workingDir),
          text: (p) => texts.get(p),
          env: image.config.env ?? [],
          ...(runs.workingDir !== undefined ? { workingDir: runs.workingDir } : {}),
        }).flatMap((w) => asWalked(w, c.workingDir))
      ),
  };
  const run: ImageRun = {
    taskRoot,
    exec,
    loaded: [
      ...preloadFromEnv(image.config.env),
      ...configuredPaths(image.config),
      ...(fn ? configuredPaths(runs) : []),
    ],
    // What a command line's words are as programs is what the image's links, and its copies of
    // the programs lamina reads the options of, make them.
    findings: async (links, source) => {
      // The base image's entry script too: a copy of it under another name runs as it does.
      const copies = await programCopies(
        source,
        (name) => readsOptionsOf(name) || name === BASE_ENTRY_SCRIPT
      );
      // The programs the starts' words name: one embedding an interpreter gets its arguments.
      const files = programFiles(links, exec.searchPath, runs.workingDir);
      const words = [image.config, runs].flatMap((c) =>
        commandLines([...(c.entrypoint ?? []), ...(c.cmd ?? [])]).flat()
      );
      // A program known by a name lamina reads has its options read: its bytes need no parse.
      const named = (f: string): boolean =>
        [basename(f), ...(copies.get(f) ?? [])].some(readsOptionsOf);
      const libs = await interpreterLibraries(
        source,
        [...new Set(words)].flatMap(files).filter((f) => !named(f)),
        limits.maxNestedSize
      );
      const names = (known = programNames(links, exec.searchPath, runs.workingDir, copies));
      texts = await startConfigTexts(
        source,
        links,
        [image.config, runs].flatMap((c) => startConfigFiles(c, image.config.env, names))
      );
      const view = {
        text: (p: string) => texts.get(p),
        env: image.config.env ?? [],
        embeds: (word: string) =>
          files(word)
            .map((f) => libs.get(f))
            .find((l) => l !== undefined),
        names,
        realPath: (path: string) => {
          const r = links.resolve(path.replace(/^\/+/, ''));
          return r.ok ? `/${r.path}` : undefined;
        },
        searchPath: exec.searchPath,
        taskRoot,
        ...(runs.workingDir !== undefined ? { workingDir: runs.workingDir } : {}),
      };
      return [
        ...configEnvFindings(image.config.env),
        ...startArgFindings(image.config, fn, view),
        // The Handler is read from the start that runs: the function's settings over the image's.
        ...imageHandlerFindings(
          runs,
          `/${taskRoot}`,
          runs.workingDir,
          fn
            ? "the entry point and command the function starts (its ImageConfig over the image config's)"
            : "the image config's entry point and command",
          image.config.env,
          (path) => {
            const at = view.realPath(path);
            return at !== undefined && copies.get(at.slice(1))?.includes(BASE_ENTRY_SCRIPT)
              ? `/${BASE_ENTRY_SCRIPT}`
              : at;
          }
        ),
      ];
    },
  };
  const inventory = await inventoryFileSystem(filesystem, identityHex(image), limits, run);
  const os = await detectOs(filesystem);
  const removed = scope === 'all-layers' ? await removedPackages(filesystem, limits, run) : [];
  return {
    inventory,
    image,
    ...(os ? { os } : {}),
    removed,
    scope,
    size: filesystem.size,
  };
}

/** Every cataloger over an image file system (or a view of it), packages stamped with layer and part. */
async function inventoryFileSystem(
  fs: SquashedImage,
  sha256: string,
  limits: Limits,
  run: ImageRun
): Promise<Inventory> {
  const artifact: Artifact = {
    name: fs.name,
    kind: 'image',
    sha256,
    size: fs.size,
    properties: {},
  };
  const inventory = await buildInventory(fs, artifact, {
    limits,
    root: 'image',
    loaded: run.loaded,
    taskRoot: run.taskRoot,
    exec: run.exec,
    findings: run.findings,
    firstLayer: (path) => fs.firstWriter(path),
  });
  attributeImagePackages(inventory.packages, fs, { taskRoot: run.taskRoot });
  return inventory;
}

/**
 * The AWS base images' entry script (`/lambda-entrypoint.sh`), which exports its argument as
 * `_HANDLER` and starts the runtime whatever it is called.
 */
const BASE_ENTRY_SCRIPT = 'lambda-entrypoint.sh';

/** What the image config says about how its code runs, as the catalogers need it. */
interface ImageRun {
  /** Root-relative function code directory. */
  taskRoot: string;
  /**
   * The files the entry points name by path, any of which they may exec, where a bare name is
   * found, and the scripts their interpreters run.
   */
  exec: {
    programs: readonly string[];
    searchPath: readonly string[];
    scripts: (links: LinkIndex) => readonly string[];
  };
  /** What the config makes the loader load or run: `LD_PRELOAD`, entry point and command paths. */
  loaded: readonly string[];
  /** What the config's environment and command lines load or run that the catalogers do not read. */
  findings: (links: LinkIndex, source: FileSource) => Promise<readonly Finding[]>;
}

/** `LAMBDA_TASK_ROOT` from the config's environment, else the working directory, else /var/task. */
function taskRootOf(env: readonly string[] | undefined, workingDir: string | undefined): string {
  const set = env?.find((e) => e.startsWith('LAMBDA_TASK_ROOT='));
  const dir = set?.slice('LAMBDA_TASK_ROOT='.length) || workingDir || '/var/task';
  return dir.replace(/^\/+|\/+$/g, '') || 'var/task';
}

/**
 * What later layers hid: each layer whose files were removed or replaced is inventoried as the
 * file system stood after it, and a package whose evidence a later layer removed is kept with
 * that layer's index.
 */
async function removedPackages(
  image: SquashedImage,
  limits: Limits,
  run: ImageRun
): Promise<RemovedPackage[]> {
  const layersHiding = [...new Set(image.hidden.map((h) => h.layer))].sort((a, b) => a - b);
  const out: RemovedPackage[] = [];
  const seen = new Set<string>();
  for (const li of layersHiding) {
    const view = image.viewAt(li);
    const inv = await inventoryFileSystem(view, view.digest, limits, run);
    for (const p of inv.packages) {
      const path = p.locations[0]?.path;
      const entry = path === undefined ? undefined : view.get(path);
      if (!entry || path === undefined) continue;
      const by = image.removedBy(path, entry.layer);
      if (by === undefined) continue;
      const key = `${p.id}\0${entry.layer}`;
      if (seen.has(key)) continue;
      seen.add(key);
      p.properties['image-part'] ??= imagePartOf(path, { taskRoot: run.taskRoot });
      out.push({ package: p, layer: entry.layer, removedBy: by });
    }
  }
  return out;
}

/** Options for {@link imageSbom}. */
export interface ImageSbomOptions extends InventoryImageOptions, SbomFormatOptions {}

/** An image's SBOM and the inventory it was written from. */
export interface ImageSbom extends ImageInventory {
  /** The SBOM in `format`. */
  sbom: string;
  /** Every format asked for (`format` and `formats`), from the same inventory. */
  sboms: Rendered;
}

/**
 * Open, inventory and describe an image as an SBOM (CycloneDX JSON or XML, SPDX 2.3 JSON): the
 * container (a `pkg:oci` purl with the manifest digest; a docker-archive, which has no manifest,
 * is named by its config digest and diffIDs), its layers and digests, each package with the
 * layer and image part it came from, and the OS.
 * @throws as {@link openImage}
 */
export async function imageSbom(
  reference: string,
  options: ImageSbomOptions = {}
): Promise<ImageSbom> {
  const inv = await inventoryImage(reference, options);
  return { ...inv, ...renderImageSboms(imageSubject(inv), options) };
}

/** Each format asked for, of one image subject. */
export function renderImageSboms(
  subject: ImageSubject,
  options: SbomFormatOptions
): { sbom: string; sboms: Rendered } {
  return renderSboms(options, {
    spdx: (o) => serializeImageSpdx(subject, o),
    cyclonedx: (o) => serializeImageSbom(subject, o),
  });
}

/** What the SBOM stage needs to know of an inventoried image (no I/O types). */
export function imageSubject(inv: ImageInventory): ImageSubject {
  const { image } = inv;
  const subject: ImageSubject = {
    name: image.name,
    transport: image.reference.transport,
    configDigest: image.configDigest,
    platform: formatPlatform(image.platform),
    architecture: image.platform.architecture,
    layers: image.layers,
    size: inv.size,
    scope: inv.scope,
    inventory: inv.inventory,
    removed: inv.removed,
  };
  if (image.manifestDigest) subject.manifestDigest = image.manifestDigest;
  if (image.manifestMediaType) subject.manifestMediaType = image.manifestMediaType;
  if (image.indexDigest) subject.indexDigest = image.indexDigest;
  if (image.registry) subject.repositoryUrl = `${image.registry.host}/${image.registry.repository}`;
  const ref = image.reference;
  if (ref.transport === 'registry' && ref.tag !== undefined) subject.tag = ref.tag;
  if (ref.transport === 'oci') {
    // A layout's ref name is a tag (`v2`) or a whole reference (`docker.io/library/alpine:3`).
    const named = ref.ref !== undefined && /[/:]/.test(ref.ref) ? ref.ref : undefined;
    const repo = named?.replace(/:[^/:]*$/, '');
    if (ref.ref !== undefined)
      subject.tag = named ? named.slice((repo ?? '').length + 1) || ref.ref : ref.ref;
    subject.imageName = repo ?? basename(resolve(ref.dir));
  }
  if (inv.os) subject.os = inv.os;
  const { entrypoint, cmd, workingDir } = image.config;
  if (entrypoint || cmd || workingDir)
    subject.run = {
      ...(entrypoint ? { entrypoint } : {}),
      ...(cmd ? { cmd } : {}),
      ...(workingDir ? { workingDir } : {}),
    };
  return subject;
}

/** Every package of an image inventory, the removed ones (all-layers) after the live ones. */
export function imagePackages(inv: ImageInventory): Package[] {
  return [...inv.inventory.packages, ...inv.removed.map((r) => r.package)];
}

/**
 * The text of each of `paths` the image holds (absolute, through its links), null for one that
 * is not a regular file or is larger than START_CONFIG_MAX: what startConfigs reads.
 */
async function startConfigTexts(
  source: FileSource,
  links: LinkIndex,
  paths: readonly string[]
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const path of new Set(paths)) {
    const r = links.resolve(path.replace(/^\/+/, ''));
    const entry = r.ok ? source.get(r.path) : undefined;
    if (!r.ok || entry === undefined) continue;
    out.set(
      path,
      entry.kind === 'file' && entry.size <= START_CONFIG_MAX
        ? (await source.read(r.path, START_CONFIG_MAX)).toString('utf8')
        : null
    );
  }
  return out;
}
