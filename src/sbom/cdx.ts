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
import type * as T from './cdx-types.js';

export type { T };

const load = createRequire(import.meta.url);
export const Enums = load('@cyclonedx/cyclonedx-library/Enums') as typeof T.Enums;
export const Models = load('@cyclonedx/cyclonedx-library/Models') as typeof T.Models;
export const Serialize = load('@cyclonedx/cyclonedx-library/Serialize') as typeof T.Serialize;
export const Spec = load('@cyclonedx/cyclonedx-library/Spec') as typeof T.Spec;
export const SPDX = load('@cyclonedx/cyclonedx-library/SPDX') as typeof T.SPDX;
