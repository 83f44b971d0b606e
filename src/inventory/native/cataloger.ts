/**
 * Native libraries that npm packages bundle, from the manifests their builds ship. sharp's
 * prebuilt libvips packages (`@img/sharp-libvips-<platform>`, and `sharp/vendor/<v>/<platform>`
 * before sharp 0.33) carry a `versions.json` naming every library linked into libvips:
 * https://github.com/lovell/sharp-libvips (build/posix.sh writes it). Each becomes a component,
 * so a vulnerability scanner fed the SBOM sees libpng, libxml2, expat, zlib and the rest.
 */
import { posix } from 'node:path';
import type { Finding } from '../../model/finding.js';
import { newPackage, type Package } from '../../model/package.js';
import { perEntry, type Cataloger, type CatalogContext } from '../cataloger.js';
import { parseJsonLenient } from '../json.js';
import { genericPurl } from '../purl.js';
import { NATIVE_MANIFEST_GLOBS } from './globs.js';

const NAME = NATIVE_MANIFEST_GLOBS.name;

/** Most libraries one manifest may name (sharp's name about 30). */
export const MAX_MANIFEST_LIBRARIES = 256;

/**
 * sharp-libvips keys → the name the library's own project (and vulnerability databases) use.
 * Keys not listed keep their own name.
 */
const LIBRARY_NAMES: Readonly<Record<string, string>> = {
  aom: 'libaom',
  archive: 'libarchive',
  exif: 'libexif',
  ffi: 'libffi',
  gdkpixbuf: 'gdk-pixbuf',
  heif: 'libheif',
  imagequant: 'libimagequant',
  jpeg: 'libjpeg-turbo',
  lcms: 'lcms2',
  png: 'libpng',
  rsvg: 'librsvg',
  spng: 'libspng',
  tiff: 'libtiff',
  vips: 'libvips',
  webp: 'libwebp',
  xml: 'libxml2',
};

const KEY = /^[a-z0-9][a-z0-9._+-]{0,63}$/i;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+~-]{0,63}$/;

/** Bundled native library manifests (sharp's libvips `versions.json`). */
export const nativeManifestCataloger: Cataloger = {
  ...NATIVE_MANIFEST_GLOBS,
  catalog(ctx) {
    return perEntry(ctx, NAME, async (entry) => {
      const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
      return fromManifest(ctx, entry.path, parseJsonLenient(text).value);
    });
  },
};

/** The npm package directory a manifest belongs to (`…/@img/sharp-libvips-linux-x64`). */
function bundlingPackage(ctx: CatalogContext, path: string): Package | undefined {
  const dir = posix.dirname(path);
  const pkgDir = /^(.*\/node_modules\/(?:@img\/[^/]+|sharp))(?:\/|$)/.exec(dir)?.[1] ?? dir;
  return ctx.earlier.find(
    (p) => p.ecosystem === 'npm' && p.locations.some((l) => l.path === `${pkgDir}/package.json`)
  );
}

function fromManifest(
  ctx: CatalogContext,
  path: string,
  value: unknown
): { packages: Package[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const problem = (message: string): void => {
    findings.push({
      code: 'PARSE_ERROR',
      severity: 'warning',
      path,
      message: `${NAME}: ${message}`,
    });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('not a JSON object of library versions');
    return { packages: [], findings };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_MANIFEST_LIBRARIES) {
    problem(`names ${entries.length} libraries; read the first ${MAX_MANIFEST_LIBRARIES}`);
  }
  const owner = bundlingPackage(ctx, path);
  const packages: Package[] = [];
  for (const [key, version] of entries.slice(0, MAX_MANIFEST_LIBRARIES)) {
    if (!KEY.test(key) || typeof version !== 'string' || !VERSION.test(version)) {
      problem(
        `skipped an entry that is not a library name and version: ${JSON.stringify(key).slice(0, 80)}`
      );
      continue;
    }
    const name = LIBRARY_NAMES[key] ?? key;
    const pkg = newPackage({
      id: `native:${path}#${key}`,
      ecosystem: 'generic',
      name,
      version,
      purl: genericPurl(name, version),
      foundBy: NAME,
      locations: [{ path, layerDigest: ctx.layerDigest }],
      properties: {
        'native:manifest-key': key,
        ...(owner ? { 'native:bundled-by': owner.id } : {}),
      },
    });
    if (owner) owner.dependsOn.push(pkg.id);
    packages.push(pkg);
  }
  return { packages, findings };
}
