import { binaryCataloger } from './binary/cataloger.js';
import type { Cataloger } from './cataloger.js';
import { dotnetCataloger } from './dotnet/cataloger.js';
import { javaCataloger } from './java/cataloger.js';
import { nativeManifestCataloger } from './native/cataloger.js';
import { npmCataloger } from './npm/cataloger.js';
import { apkCataloger } from './os/apk.js';
import { dpkgCataloger } from './os/dpkg.js';
import { rpmCataloger } from './os/rpm.js';
import { pythonCataloger } from './python/cataloger.js';
import { rubyCataloger } from './ruby/cataloger.js';

/**
 * Every cataloger, in the order they run. OS package databases come first
 * (their globs only match an image root's `var/lib/dpkg`, `lib/apk/db` and
 * rpm directories); the binary cataloger comes last: it reports only the
 * executables and libraries no earlier package owns.
 */
export const DEFAULT_CATALOGERS: readonly Cataloger[] = Object.freeze([
  dpkgCataloger,
  apkCataloger,
  rpmCataloger,
  npmCataloger,
  // After npm: a manifest's libraries hang off the npm package that bundles them.
  nativeManifestCataloger,
  pythonCataloger,
  javaCataloger,
  rubyCataloger,
  dotnetCataloger,
  binaryCataloger,
]);
