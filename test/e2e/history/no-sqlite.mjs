// Loaded with `node --import` by the "better-sqlite3 is not installed" test: makes resolving it
// fail the way Node fails for a package that is absent, whatever node_modules holds (lamina
// loads it through createRequire, which resolves through Module._resolveFilename).
import Module from 'node:module';

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'better-sqlite3') {
    const err = new Error(`Cannot find module '${request}'`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
