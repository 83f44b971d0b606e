import { binaryCataloger } from './binary/cataloger.js';
import type { Cataloger } from './cataloger.js';
import { dotnetCataloger } from './dotnet/cataloger.js';
import { javaCataloger } from './java/cataloger.js';
import { npmCataloger } from './npm/cataloger.js';
import { pythonCataloger } from './python/cataloger.js';
import { rubyCataloger } from './ruby/cataloger.js';

/**
 * Every cataloger, in the order they run. The binary cataloger comes last: it
 * reports only the executables and libraries no earlier package owns.
 */
export const DEFAULT_CATALOGERS: readonly Cataloger[] = Object.freeze([
  npmCataloger,
  pythonCataloger,
  javaCataloger,
  rubyCataloger,
  dotnetCataloger,
  binaryCataloger,
]);
