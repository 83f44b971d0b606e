import { describe, expect, it } from 'vitest';
import { UnpackError, UsageError } from '../errors.js';
import { FetchError } from '../fetch/errors.js';
import { layerFailure } from './verify.js';

describe('layerFailure: how an error while reading one listed layer counts', () => {
  it('a refused zip fails the layer, the run stays complete', () => {
    const err = new UnpackError({ code: 'DUPLICATE_ENTRY', message: 'two a.txt' });
    expect(layerFailure(err)).toEqual({
      code: 'DUPLICATE_ENTRY',
      reason: 'two a.txt',
      incomplete: false,
    });
  });

  it('a layer AWS says does not exist fails the layer, the run stays complete', () => {
    const gone = new FetchError({ code: 'NOT_FOUND', message: 'GetLayerVersionByArn x: gone' });
    expect(layerFailure(gone)?.incomplete).toBe(false);
  });

  it('anything else AWS or the content host did makes the run incomplete', () => {
    for (const code of ['ACCESS_DENIED', 'BAD_DIGEST', 'RETRIES_EXHAUSTED'] as const)
      expect(layerFailure(new FetchError({ code, message: 'm' }))?.incomplete).toBe(true);
  });

  it('is not about the layer otherwise: a cache ENOENT or a usage error is rethrown (exit 3 or 2)', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file or directory'), {
      code: 'ENOENT',
    });
    expect(layerFailure(enoent)).toBeUndefined();
    expect(layerFailure({ code: 'NOT_A_ZIP', message: 'duck-typed' })).toBeUndefined();
    expect(layerFailure(new UsageError({ code: 'BAD_INPUT', message: 'm' }))).toBeUndefined();
  });
});
