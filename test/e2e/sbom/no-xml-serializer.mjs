// Loaded with `node --import` by the start-up tests: the CycloneDX library's XML serializer
// module cannot be resolved, as in an install that lost it, to show that XML output then fails
// the command while JSON output, which does not load it, still works.
import Module from 'node:module';

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === './xmlSerializer.node') {
    const err = new Error(`Cannot find module '${request}'`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return resolve.call(this, request, ...rest);
};
