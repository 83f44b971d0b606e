import { anyCandidate, BINARY_GLOBS } from './binary/globs.js';
import { lazyCataloger, type Cataloger } from './cataloger.js';
import { DOTNET_GLOBS } from './dotnet/globs.js';
import { JAVA_GLOBS } from './java/globs.js';
import { NATIVE_MANIFEST_GLOBS } from './native/globs.js';
import { NPM_GLOBS } from './npm/globs.js';
import { APK_GLOBS, DPKG_GLOBS, RPM_GLOBS } from './os/globs.js';
import { PYTHON_GLOBS } from './python/globs.js';
import { RUBY_GLOBS } from './ruby/globs.js';

/**
 * Every cataloger, in the order they run. OS package databases come first
 * (their globs only match an image root's `var/lib/dpkg`, `lib/apk/db` and
 * rpm directories); the binary cataloger comes last: it reports only the
 * executables and libraries no earlier package owns. Each one's parsers are
 * imported only when the artifact holds a file its globs match (the binary
 * cataloger's: a file that could run), so start-up pays for what is there.
 */
export const DEFAULT_CATALOGERS: readonly Cataloger[] = Object.freeze([
  lazyCataloger(DPKG_GLOBS, async () => (await import('./os/dpkg.js')).dpkgCataloger),
  lazyCataloger(APK_GLOBS, async () => (await import('./os/apk.js')).apkCataloger),
  lazyCataloger(RPM_GLOBS, async () => (await import('./os/rpm.js')).rpmCataloger),
  lazyCataloger(NPM_GLOBS, async () => (await import('./npm/cataloger.js')).npmCataloger),
  // After npm: a manifest's libraries hang off the npm package that bundles them.
  lazyCataloger(
    NATIVE_MANIFEST_GLOBS,
    async () => (await import('./native/cataloger.js')).nativeManifestCataloger
  ),
  lazyCataloger(PYTHON_GLOBS, async () => (await import('./python/cataloger.js')).pythonCataloger),
  lazyCataloger(JAVA_GLOBS, async () => (await import('./java/cataloger.js')).javaCataloger),
  lazyCataloger(RUBY_GLOBS, async () => (await import('./ruby/cataloger.js')).rubyCataloger),
  lazyCataloger(DOTNET_GLOBS, async () => (await import('./dotnet/cataloger.js')).dotnetCataloger),
  lazyCataloger(
    BINARY_GLOBS,
    async () => (await import('./binary/cataloger.js')).binaryCataloger,
    anyCandidate
  ),
]);
