/**
 * The parts of the CycloneDX library lamina uses, each from its own entry point: the package
 * root also loads its validators (ajv, libxmljs2) and contrib builders, which cost start-up time
 * on every `lamina sbom` and are never called.
 *
 * They are loaded with `require`, not `import`: the library is CommonJS, and importing CommonJS
 * from an ES module makes Node parse every module the entry points re-export a second time to
 * find their export names (cjs-module-lexer), about a third of what loading them costs. Their
 * types are under `T` (`CDX.T.Models.Bom`), since a value loaded this way carries none.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as T from './cdx-types.js';

export type { T };

const load = createRequire(import.meta.url);
export const Enums = load('@cyclonedx/cyclonedx-library/Enums') as typeof T.Enums;
export const Models = load('@cyclonedx/cyclonedx-library/Models') as typeof T.Models;
export const Spec = load('@cyclonedx/cyclonedx-library/Spec') as typeof T.Spec;
export const SPDX = load('@cyclonedx/cyclonedx-library/SPDX') as typeof T.SPDX;

/** The library's public `Serialize` entry point: everything below plus the XML serializer. */
export const SERIALIZE_ENTRY = '@cyclonedx/cyclonedx-library/Serialize';
/**
 * The module beside the `Serialize` entry point that holds all of it but the XML serializer:
 * the entry point is `export * from './index.common'` and `export * from './xmlSerializer.node'`.
 */
export const SERIALIZE_COMMON_FILE = 'index.common.js';

/** The `Serialize` entry point without `XmlSerializer`. */
export type SerializeCommon = Omit<typeof T.Serialize, 'XmlSerializer'>;

/**
 * `Serialize` without its XML serializer, which requires xmlbuilder2 (with js-yaml and a DOM,
 * most of the library's load time) as it loads: JSON output never needs it, and no public entry
 * point offers JSON serialization without it. This loads the file the entry point re-exports,
 * by path, so the classes are the very ones `Serialize` exports (one module cache); if the
 * library's layout no longer has that file with the JSON serializer in it, the public entry
 * point serves instead (slower, the same output).
 */
function loadSerializeCommon(): SerializeCommon {
  try {
    const file = join(dirname(load.resolve(SERIALIZE_ENTRY)), SERIALIZE_COMMON_FILE);
    const common = load(file) as Partial<SerializeCommon>;
    if (
      typeof common.JsonSerializer === 'function' &&
      typeof common.JSON?.Normalize.Factory === 'function' &&
      typeof common.XML?.Normalize.Factory === 'function'
    )
      return common as SerializeCommon;
  } catch {
    // The layout changed: the public entry point below.
  }
  return load(SERIALIZE_ENTRY) as SerializeCommon;
}

export const Serialize: SerializeCommon = loadSerializeCommon();

/** The library's XML serializer, loaded (with xmlbuilder2) on the first call only. */
export function xmlSerializerClass(): typeof T.Serialize.XmlSerializer {
  return (load(SERIALIZE_ENTRY) as typeof T.Serialize).XmlSerializer;
}
