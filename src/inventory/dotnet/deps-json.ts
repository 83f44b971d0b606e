import { parseJsonLenient, type Tolerated } from '../json.js';

/**
 * The shape of a `<app>.deps.json` file as the .NET host reads it.
 * https://github.com/dotnet/runtime/blob/main/docs/design/features/host-probing.md
 * https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md
 */

/** One `targets[<tfm>]["Name/Version"]` entry. */
export interface DepsTargetEntry {
  dependencies?: Record<string, string>;
  /** Managed assets, keyed by path relative to the package (or app dir for projects). */
  runtime?: Record<string, unknown>;
  /** Native / RID-specific assets, keyed by path relative to the app dir. */
  runtimeTargets?: Record<string, unknown>;
  native?: Record<string, unknown>;
}

/** One `libraries["Name/Version"]` entry. */
export interface DepsLibrary {
  /** `package` (NuGet), `project` (built with the app), `reference`, `referenceassembly`, `platform`... */
  type: string;
  serviceable?: boolean;
  /** `sha512-<base64>` of the .nupkg, empty for projects. */
  sha512?: string;
  path?: string;
  hashPath?: string;
}

export interface DepsJson {
  /** The target (`<tfm>` or `<tfm>/<rid>`) the host resolves assets from. */
  runtimeTarget?: { name: string };
  targets: Record<string, Record<string, DepsTargetEntry>>;
  libraries: Record<string, DepsLibrary>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A parsed deps.json and what reading it took beyond strict JSON. */
export interface ParsedDepsJson {
  deps: DepsJson;
  /** Comments and trailing text (the host accepts both), trailing commas (it does not). */
  tolerated: Tolerated[];
  /** Keys given twice in one object: the host finds the first, JSON.parse would keep the last. */
  duplicateKeys: string[];
}

/**
 * Parse and shape-check a deps.json document as the .NET host reads it: one
 * byte order mark stripped, comments allowed, text after the document
 * ignored, and the first of duplicate keys kept.
 * @throws Error when the text is not JSON or lacks `targets` / `libraries` objects.
 */
export function parseDepsJson(text: string): ParsedDepsJson {
  const {
    value: doc,
    tolerated,
    duplicateKeys,
  } = parseJsonLenient(text, {
    duplicates: 'first',
  });
  if (!isObject(doc)) throw new Error('deps.json is not a JSON object');
  const { targets, libraries, runtimeTarget } = doc;
  if (!isObject(targets)) throw new Error('deps.json has no "targets" object');
  if (!isObject(libraries)) throw new Error('deps.json has no "libraries" object');
  for (const [tfm, t] of Object.entries(targets))
    if (!isObject(t)) throw new Error(`deps.json target ${tfm} is not an object`);
  for (const [key, lib] of Object.entries(libraries)) {
    if (!isObject(lib) || typeof lib.type !== 'string')
      throw new Error(`deps.json library ${key} has no "type"`);
  }
  return {
    deps: {
      runtimeTarget:
        isObject(runtimeTarget) && typeof runtimeTarget.name === 'string'
          ? { name: runtimeTarget.name }
          : undefined,
      targets: targets as DepsJson['targets'],
      libraries: libraries as DepsJson['libraries'],
    },
    tolerated,
    duplicateKeys,
  };
}

/** Split a `Name/Version` key; undefined when there is no '/'. */
export function splitLibraryKey(key: string): { name: string; version: string } | undefined {
  const i = key.lastIndexOf('/');
  if (i <= 0 || i === key.length - 1) return undefined;
  return { name: key.slice(0, i), version: key.slice(i + 1) };
}

/** `sha512-<base64>` → hex, or undefined when absent or not a 64-byte digest. */
export function sha512Hex(sri: string | undefined): string | undefined {
  const m = /^sha512-([A-Za-z0-9+/]+={0,2})$/.exec(sri ?? '');
  if (!m?.[1]) return undefined;
  const bytes = Buffer.from(m[1], 'base64');
  return bytes.length === 64 ? bytes.toString('hex') : undefined;
}
