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
 * Parse a Java `.properties` file as `Properties.load` does (the subset Maven
 * writes: `key=value` or `key: value`, `#`/`!` comment lines, a line ending in
 * an odd number of backslashes continued on the next with its leading
 * whitespace dropped, escapes). One pass: continued lines are collected and
 * joined once, never re-scanned.
 * https://docs.oracle.com/javase/8/docs/api/java/util/Properties.html#load-java.io.Reader-
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let cur = stripLeading(lines[i] ?? '');
    if (cur === '' || cur.startsWith('#') || cur.startsWith('!')) continue;
    const parts: string[] = [];
    while (oddTrailingBackslashes(cur)) {
      parts.push(cur.slice(0, -1));
      if (i + 1 >= lines.length) {
        cur = '';
        break;
      }
      cur = stripLeading(lines[++i] ?? '');
    }
    parts.push(cur);
    const m = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/s.exec(parts.join(''));
    if (!m) continue;
    out.set(unescapeProperty(m[1] ?? ''), unescapeProperty(m[2] ?? ''));
  }
  return out;
}

function stripLeading(line: string): string {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t' || line[i] === '\f')) i++;
  return i === 0 ? line : line.slice(i);
}

function oddTrailingBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescapeProperty(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_, e: string) => {
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
  // Continuation pieces per header, joined once at the end (no quadratic re-concatenation).
  const pieces = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (pieces.size > 0) break;
      continue;
    }
    if (line.startsWith(' ')) {
      last?.push(line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = [line.slice(i + 1).replace(/^ /, '')];
    // A repeated header replaces the earlier one (java.util.jar.Attributes), and moves last.
    const name = line.slice(0, i).trim();
    pieces.delete(name);
    pieces.set(name, last);
  }
  for (const [k, v] of pieces) out.set(k, v.join(''));
  return out;
}

/**
 * The `Class-Path` header of a parsed main section: header names are matched in any case, and
 * of several the last is the one `java.util.jar.Attributes` keeps.
 */
export function manifestClassPath(m: Map<string, string>): string | undefined {
  let found: string | undefined;
  for (const [k, v] of m) if (k.toLowerCase() === 'class-path') found = v;
  return found;
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

/**
 * License names (or SPDX ids) from `<licenses><license><name>` of a pom.xml.
 * Scans with indexOf only (no backtracking), so the cost is linear in the text.
 */
export function pomLicenses(xml: string): string[] {
  const start = xml.indexOf('<licenses>');
  if (start < 0) return [];
  const end = xml.indexOf('</licenses>', start);
  if (end < 0) return [];
  const names: string[] = [];
  for (let i = xml.indexOf('<license>', start); i >= 0 && i < end;) {
    const close = xml.indexOf('</license>', i);
    if (close < 0 || close > end) break;
    const block = xml.slice(i + '<license>'.length, close);
    const n = block.indexOf('<name>');
    const m = n < 0 ? -1 : block.indexOf('</name>', n);
    if (m >= 0) {
      const name = block.slice(n + '<name>'.length, m).trim();
      if (name && !name.includes('<')) names.push(decodeXml(name));
    }
    i = xml.indexOf('<license>', close);
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
