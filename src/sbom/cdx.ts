/**
 * The parts of the CycloneDX library lamina uses, each from its own entry point: the package
 * root also loads its validators (ajv, libxmljs2) and contrib builders, which cost start-up time
 * on every `lamina sbom` and are never called.
 *
 * They are loaded with `require`, not `import` (see util/cjs.ts): the library is CommonJS, and
 * importing CommonJS from an ES module makes Node parse every module the entry points re-export
 * a second time to find their export names, about a third of what loading them costs. Their
 * types are under `T` (`CDX.T.Models.Bom`), since a value loaded this way carries none.
 */
import { dirname, join } from 'node:path';
import { requireCjs as load } from '../util/cjs.js';
import type * as T from './cdx-types.js';

export type { T };

export const Enums = load('@cyclonedx/cyclonedx-library/Enums') as typeof T.Enums;
export const Models = load('@cyclonedx/cyclonedx-library/Models') as typeof T.Models;
export const Spec = load('@cyclonedx/cyclonedx-library/Spec') as typeof T.Spec;
export const SPDX = load('@cyclonedx/cyclonedx-library/SPDX') as typeof T.SPDX;

/** The library's public `Serialize` entry point: JSON and XML serializers and normalizers. */
export const SERIALIZE_ENTRY = '@cyclonedx/cyclonedx-library/Serialize';
/**
 * The modules beside the `Serialize` entry point that hold its JSON half, by the export each
 * gives: the entry point re-exports them (through `index.common`) unchanged.
 */
export const SERIALIZE_JSON_FILES = {
  JsonSerializer: 'jsonSerializer.js',
  JSON: join('json', 'index.js'),
} as const;

/** The JSON half of the `Serialize` entry point: the JSON serializer and normalizer. */
export type SerializeJson = Pick<typeof T.Serialize, 'JsonSerializer' | 'JSON'>;

/**
 * The JSON half of `Serialize`. The entry point also loads the XML serializer, which requires
 * xmlbuilder2 (with js-yaml and a DOM: most of the library's load time) as it loads, and the
 * XML normalizer; JSON output needs neither, and no public entry point offers JSON without them.
 * This loads the two modules the entry point re-exports, by path, so the classes are the very
 * ones `Serialize` exports (one module cache). If the library's layout no longer has them, the
 * public entry point serves instead: the same output, the old start-up cost.
 */
function loadSerializeJson(): SerializeJson {
  try {
    const dir = dirname(load.resolve(SERIALIZE_ENTRY));
    const serializer = load(join(dir, SERIALIZE_JSON_FILES.JsonSerializer)) as Partial<
      Pick<SerializeJson, 'JsonSerializer'>
    >;
    const json = load(join(dir, SERIALIZE_JSON_FILES.JSON)) as Partial<SerializeJson['JSON']>;
    if (
      typeof serializer.JsonSerializer === 'function' &&
      typeof json.Normalize?.Factory === 'function'
    )
      return { JsonSerializer: serializer.JsonSerializer, JSON: json as SerializeJson['JSON'] };
  } catch {
    // The layout changed: the public entry point below.
  }
  return load(SERIALIZE_ENTRY) as SerializeJson;
}

export const Serialize: SerializeJson = loadSerializeJson();

/** The whole `Serialize` entry point, XML included: loaded (with xmlbuilder2) on first call. */
export function serializeWithXml(): typeof T.Serialize {
  return load(SERIALIZE_ENTRY) as typeof T.Serialize;
}
