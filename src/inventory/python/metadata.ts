/**
 * Core metadata headers (METADATA, PKG-INFO, single-file egg-info), read the
 * way Python's `email` parser reads them for `importlib.metadata`: lines end
 * at CR, LF or CRLF (nothing else), a line starting with a space or tab
 * continues the previous header, a first `From ` line is skipped, and the
 * headers end at a blank line or at the first line that is not a header (the
 * rest is the body, ignored). Never throws: what Python would read, this
 * reads; a missing Name or Version is left for the caller to settle. It also
 * strips a UTF-8 byte order mark, which Python would not (more lenient).
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 * https://github.com/python/cpython/blob/main/Lib/email/feedparser.py
 */
export class CoreMetadata {
  /** Header values by lowercased name, in file order; multiple-use fields keep every value. */
  readonly #fields = new Map<string, string[]>();
  /** Lines Python's parser would record as defects (kept for findings). */
  readonly defects: string[] = [];

  constructor(text: string) {
    let last: string[] | undefined;
    const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    for (let n = 0; n < lines.length; n++) {
      const raw = lines[n]!;
      if (raw === '') break;
      if (n === 0 && raw.startsWith('From ')) continue;
      if (raw.startsWith(' ') || raw.startsWith('\t')) {
        if (!last) {
          this.defects.push('the first header line is a continuation line');
          continue;
        }
        const i = last.length - 1;
        last[i] = `${last[i] ?? ''}\n${raw.trim()}`;
        continue;
      }
      // feedparser's header pattern: printable ASCII but ':' and space, then ':'.
      const m = /^([\x21-\x39\x3b-\x7e]*):/.exec(raw);
      if (!m) {
        this.defects.push(
          `headers end early at a line that is not a header: ${JSON.stringify(raw.slice(0, 80))}`
        );
        break;
      }
      const name = m[1] ?? '';
      if (name === '') {
        last = undefined;
        this.defects.push('a header line with an empty name');
        continue;
      }
      const key = name.toLowerCase();
      last = this.#fields.get(key) ?? [];
      last.push(raw.slice(m[0].length).trim());
      this.#fields.set(key, last);
    }
  }

  /** First value of a field, undefined when absent, empty or `UNKNOWN` (distutils' placeholder). */
  get(field: string): string | undefined {
    const v = this.#fields.get(field.toLowerCase())?.[0]?.trim();
    return v && v !== 'UNKNOWN' ? v : undefined;
  }

  /** Every value of a multiple-use field (Classifier, Requires-Dist, Project-URL). */
  all(field: string): string[] {
    return this.#fields.get(field.toLowerCase()) ?? [];
  }

  get name(): string {
    return this.get('name') ?? '';
  }

  get version(): string {
    return this.get('version') ?? '';
  }

  /** Home-page, else the Project-URL labelled Homepage / Home (labels compared normalised). */
  get homepage(): string | undefined {
    const home = this.get('home-page');
    if (home) return home;
    for (const v of this.all('project-url')) {
      const i = v.indexOf(',');
      if (i < 0) continue;
      const label = v
        .slice(0, i)
        .toLowerCase()
        .replace(/[^a-z]/g, '');
      if (label === 'homepage' || label === 'home') return v.slice(i + 1).trim();
    }
    return undefined;
  }
}
