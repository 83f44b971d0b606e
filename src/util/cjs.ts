import { createRequire } from 'node:module';

/**
 * `require` for the CommonJS packages lamina depends on (packageurl-js, picomatch,
 * spdx-expression-parse, the CycloneDX library). Importing CommonJS from an ES module makes Node
 * start its CommonJS export lexer and parse each such module a second time to find its export
 * names; `require` does neither, which saves about 10 ms of every start-up. A value loaded this
 * way carries no type: callers cast it to the package's type, imported with `import type`.
 */
export const requireCjs: NodeJS.Require = createRequire(import.meta.url);
