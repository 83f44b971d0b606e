/**
 * Ruby libraries on Lambda's `RUBYLIB` (`/opt/ruby/lib`): `require 'x'` loads `ruby/lib/x.rb`
 * (or the extension `x.so`) and `require 'x/y'` a file under `ruby/lib/x/`, with no gem
 * specification to say what they are. Gems install elsewhere (`ruby/gems/<ABI>/gems/`), so
 * nothing there belongs to a gem.
 */

import type { BareModule } from '../cataloger.js';

/** Where a Lambda layer's `RUBYLIB` directory is, layer-relative (in an image: under `opt/`). */
export const RUBYLIB = 'ruby/lib';

/** A library `require` loads from `RUBYLIB` (`name`: the file's `require` name, or the directory's). */
export type BareRubyLibrary = BareModule;

/** Files `require` loads: Ruby source and extensions. */
const LIBRARY_FILE = /^(.+)\.(?:rb|so)$/;

/**
 * The libraries among `entries` (sorted): each library file directly in `rubylib` (`ruby/lib`
 * in a layer, `opt/ruby/lib` in an image), and each top-level directory there holding library
 * files at any depth. A link directly in it counts as the library it names (Ruby follows it).
 */
export function bareRubyLibraries(
  entries: Iterable<{ path: string; kind: string }>,
  rubylib = RUBYLIB
): BareRubyLibrary[] {
  const out = new Map<string, BareRubyLibrary>();
  const prefix = `${rubylib}/`;
  for (const e of entries) {
    if ((e.kind !== 'file' && e.kind !== 'symlink') || !e.path.startsWith(prefix)) continue;
    const parts = e.path.slice(prefix.length).split('/');
    const base = parts[parts.length - 1]!;
    const file = LIBRARY_FILE.exec(base);
    if (parts.length === 1) {
      const name = file?.[1] ?? (e.kind === 'symlink' ? base : undefined);
      if (name === undefined || out.has(e.path)) continue;
      out.set(e.path, {
        name,
        path: e.path,
        kind: file ? 'file' : 'directory',
        evidence: e.path,
      });
      continue;
    }
    if (!file || e.kind !== 'file') continue;
    const dir = `${prefix}${parts[0]!}`;
    if (!out.has(dir))
      out.set(dir, { name: parts[0]!, path: dir, kind: 'directory', evidence: e.path });
  }
  return [...out.values()];
}
