import type { CatalogerGlobs } from '../cataloger.js';

export const DPKG_CATALOGER = 'dpkg-db';

/** The files the dpkg cataloger reads: dpkg's status database (and distroless images' `status.d`). */
export const DPKG_GLOBS: CatalogerGlobs = {
  name: DPKG_CATALOGER,
  globs: ['**/var/lib/dpkg/status', '**/var/lib/dpkg/status.d/*'],
};

export const APK_CATALOGER = 'apk-db';

/** The files the apk cataloger reads: apk's installed database. */
export const APK_GLOBS: CatalogerGlobs = {
  name: APK_CATALOGER,
  globs: ['**/lib/apk/db/installed'],
};

export const RPM_CATALOGER = 'rpm-db';

/** The files the rpm cataloger reads: rpm's database in each of its formats and places. */
export const RPM_GLOBS: CatalogerGlobs = {
  name: RPM_CATALOGER,
  globs: ['**/{var/lib,usr/lib/sysimage,usr/share}/rpm/{rpmdb.sqlite,Packages,Packages.db}'],
};
