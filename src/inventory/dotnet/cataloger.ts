import { newPackage, type Package } from '../../model/package.js';
import type { Finding } from '../../model/finding.js';
import { joinInLayer } from '../binary/ownership.js';
import { parseErrorFinding, perEntry, type Cataloger, type CatalogContext } from '../cataloger.js';
import { genericPurl, nugetPurl } from '../purl.js';
import {
  parseDepsJson,
  sha512Hex,
  splitLibraryKey,
  type DepsJson,
  type DepsTargetEntry,
} from './deps-json.js';
import { DOTNET_GLOBS } from './globs.js';

const NAME = DOTNET_GLOBS.name;

/** .NET applications: the `<app>.deps.json` the SDK writes next to a published app. */
export const dotnetCataloger: Cataloger = {
  ...DOTNET_GLOBS,
  catalog(ctx) {
    return perEntry(ctx, NAME, async (entry) => {
      const text = (await ctx.source.read(entry.path, ctx.limits.maxFileSize)).toString('utf8');
      const parsed = parseDepsJson(text);
      const findings: Finding[] = [];
      if (parsed.duplicateKeys.length > 0)
        findings.push({
          code: 'AMBIGUOUS_METADATA',
          severity: 'error',
          path: entry.path,
          message: `${NAME}: ${entry.path} gives keys twice (${parsed.duplicateKeys.slice(0, 3).join(', ')}): the .NET host reads the first, other readers the last; lamina read the first`,
        });
      if (parsed.tolerated.includes('trailing commas'))
        findings.push(
          parseErrorFinding(
            NAME,
            entry.path,
            'trailing commas: the .NET host refuses this file; lamina read it leniently',
            'warning'
          )
        );
      return { packages: fromDepsJson(ctx, entry.path, parsed.deps), findings };
    });
  },
};

/** The target the host uses (`runtimeTarget.name`), else every target merged. */
function targetEntries(deps: DepsJson): Map<string, DepsTargetEntry> {
  const chosen = deps.runtimeTarget?.name ? deps.targets[deps.runtimeTarget.name] : undefined;
  const out = new Map<string, DepsTargetEntry>();
  for (const t of chosen ? [chosen] : Object.values(deps.targets))
    for (const [k, v] of Object.entries(t)) if (!out.has(k)) out.set(k, v);
  return out;
}

function fromDepsJson(ctx: CatalogContext, path: string, deps: DepsJson): Package[] {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  const appName = path.slice(dir.length, -'.deps.json'.length);
  const entries = targetEntries(deps);
  const byKey = new Map<string, Package>();

  for (const [key, lib] of Object.entries(deps.libraries)) {
    const nv = splitLibraryKey(key);
    // reference / referenceassembly / platform entries are framework assemblies, not shipped packages.
    if (!nv || (lib.type !== 'package' && lib.type !== 'project')) continue;
    const isApp = lib.type === 'project' && nv.name === appName;
    const sha512 = lib.type === 'package' ? sha512Hex(lib.sha512) : undefined;
    const properties: Record<string, string> = { 'dotnet:library-type': lib.type };
    if (deps.runtimeTarget?.name) properties['dotnet:runtime-target'] = deps.runtimeTarget.name;
    const pkg = newPackage({
      id: `nuget:${path}#${key}`,
      ecosystem: lib.type === 'package' ? 'nuget' : 'generic',
      name: nv.name,
      version: nv.version,
      // A project is built with the app, not fetched from NuGet: a nuget purl would
      // wrongly match a public package of the same name.
      purl:
        lib.type === 'package' ? nugetPurl(nv.name, nv.version) : genericPurl(nv.name, nv.version),
      type: isApp ? 'application' : 'library',
      foundBy: NAME,
      locations: [{ path, layerDigest: ctx.layerDigest }],
      hashes: sha512 ? { 'SHA-512': sha512 } : {},
      owns: ownedFiles(ctx, dir, entries.get(key), isApp ? appName : undefined, path),
      installDir: dir.replace(/\/$/, ''),
      properties,
    });
    byKey.set(key, pkg);
  }

  for (const [key, pkg] of byKey) {
    for (const [dep, version] of Object.entries(entries.get(key)?.dependencies ?? {})) {
      const target = byKey.get(`${dep}/${version}`);
      if (target && target !== pkg) pkg.dependsOn.push(target.id);
    }
  }
  return [...byKey.values()];
}

/**
 * Asset files of one library that exist in the layer. `dotnet publish` copies
 * managed assemblies flat into the app dir and keeps RID-specific assets under
 * their `runtimes/...` path, so both spellings are tried.
 */
function ownedFiles(
  ctx: CatalogContext,
  dir: string,
  entry: DepsTargetEntry | undefined,
  appName: string | undefined,
  depsPath: string
): string[] {
  const owns = new Set<string>();
  if (appName !== undefined) {
    owns.add(depsPath);
    for (const f of [appName, `${appName}.runtimeconfig.json`])
      if (ctx.source.get(`${dir}${f}`)?.kind === 'file') owns.add(`${dir}${f}`);
  }
  const assets = [
    ...Object.keys(entry?.runtime ?? {}),
    ...Object.keys(entry?.runtimeTargets ?? {}),
    ...Object.keys(entry?.native ?? {}),
  ];
  // Asset paths come from the file; the ownership index refuses those outside the app directory.
  const appDir = dir.replace(/\/$/, '');
  for (const a of assets) {
    const base = a.slice(a.lastIndexOf('/') + 1);
    for (const rel of [a, base]) {
      const candidate = joinInLayer(appDir, rel);
      if (candidate !== undefined && ctx.source.get(candidate)?.kind === 'file') {
        owns.add(candidate);
        break;
      }
    }
  }
  return [...owns];
}
