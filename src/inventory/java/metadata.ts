/**
 * Pure parsers for the metadata a Java archive carries: Maven's
 * `pom.properties`, the JAR manifest, the licenses of an embedded `pom.xml`,
 * and the `artifact-1.2.3.jar` file-name convention.
 */

/** Coordinates from `META-INF/maven/<groupId>/<artifactId>/pom.properties`. */
export interface PomProperties {
  groupId: string;
  artifactId: string;
  version: string;
}

/**
 * Parse a Java `.properties` file (the subset Maven writes: `key=value` or
 * `key: value`, `#`/`!` comments, `\` line continuations and escapes).
 * https://docs.oracle.com/javase/8/docs/api/java/util/Properties.html#load-java.io.Reader-
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the line.
    while (/(?:^|[^\\])(?:\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line);
    if (!m) continue;
    out.set(unescapeProperty(m[1] ?? ''), unescapeProperty(m[2] ?? ''));
  }
  return out;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return { t: '\t', n: '\n', r: '\r', f: '\f' }[e] ?? e;
  });
}

/**
 * Read pom.properties. Returns undefined when artifactId or version is
 * missing; groupId falls back to the directory name Maven put the file in.
 */
export function parsePomProperties(text: string, path?: string): PomProperties | undefined {
  const p = parseProperties(text);
  const fromPath = path ? /META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/.exec(path) : null;
  const groupId = (p.get('groupId') ?? fromPath?.[1] ?? '').trim();
  const artifactId = (p.get('artifactId') ?? fromPath?.[2] ?? '').trim();
  const version = (p.get('version') ?? '').trim();
  if (!artifactId || !version) return undefined;
  return { groupId: groupId || artifactId, artifactId, version };
}

/**
 * Parse the main section of a JAR manifest: `Name: value` lines, where a line
 * starting with a single space continues the previous value. Stops at the
 * first blank line (per-entry sections follow it).
 * https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html#jar-manifest
 */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (out.size > 0) break;
      continue;
    }
    if (line.startsWith(' ')) {
      if (last !== undefined) out.set(last, (out.get(last) ?? '') + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    out.set(last, line.slice(i + 1).replace(/^ /, ''));
  }
  return out;
}

/** What a manifest says about the archive's identity. */
export interface ManifestIdentity {
  name?: string;
  version?: string;
  groupId?: string;
  license?: string;
}

/** Strip OSGi directives: `org.foo;singleton:=true` → `org.foo`. */
function beforeDirectives(v: string | undefined): string | undefined {
  const s = v?.split(';')[0]?.trim();
  return s || undefined;
}

/**
 * Name, version, group and license from manifest headers. A dotted OSGi or
 * JPMS name splits into group and artifact at its last dot
 * (`org.apache.geronimo.specs.geronimo-annotation_1.3_spec`); an
 * `Implementation-Title` with spaces is a display name, not an artifact id.
 */
export function manifestIdentity(m: Map<string, string>): ManifestIdentity {
  const title = beforeDirectives(m.get('Implementation-Title'));
  const dotted =
    beforeDirectives(m.get('Bundle-SymbolicName')) ??
    beforeDirectives(m.get('Automatic-Module-Name'));
  const dot = dotted?.lastIndexOf('.') ?? -1;
  let name = title && !/\s/.test(title) ? title : undefined;
  let groupId = beforeDirectives(m.get('Implementation-Vendor-Id'));
  if (dotted) {
    name ??= dot > 0 ? dotted.slice(dot + 1) : dotted;
    if (!groupId && dot > 0) groupId = dotted.slice(0, dot);
  }
  const version =
    beforeDirectives(m.get('Implementation-Version')) ?? beforeDirectives(m.get('Bundle-Version'));
  return { name, version, groupId, license: beforeDirectives(m.get('Bundle-License')) };
}

/**
 * `commons-cli-1.5.0.jar` → { name: 'commons-cli', version: '1.5.0' }: the
 * version starts at the first `-` followed by a digit.
 */
export function parseArchiveFileName(fileName: string): { name: string; version?: string } {
  const base = fileName.replace(/^.*\//, '').replace(/\.[A-Za-z]+$/, '');
  const m = /^(.+?)-(\d[^/]*)$/.exec(base);
  if (m?.[1] && m[2]) return { name: m[1], version: m[2] };
  return { name: base };
}

/** License names (or SPDX ids) from `<licenses><license><name>` of a pom.xml. */
export function pomLicenses(xml: string): string[] {
  const block = /<licenses>([\s\S]*?)<\/licenses>/.exec(xml)?.[1];
  if (!block) return [];
  const names: string[] = [];
  for (const m of block.matchAll(/<license>([\s\S]*?)<\/license>/g)) {
    const name = /<name>\s*([^<]*?)\s*<\/name>/.exec(m[1] ?? '')?.[1];
    if (name) names.push(decodeXml(name));
  }
  return names;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
