/**
 * Core metadata headers (METADATA, PKG-INFO, single-file egg-info): RFC 822
 * style `Name: value` lines with continuation lines that start with whitespace,
 * ended by a blank line; the body after it (the long description) is ignored.
 * https://packaging.python.org/en/latest/specifications/core-metadata/
 */
export class CoreMetadata {
  /** Header values by lowercased name, in file order; multiple-use fields keep every value. */
  readonly #fields = new Map<string, string[]>();

  /** @throws Error on a header line without a colon, or when Name or Version is missing. */
  constructor(text: string) {
    let last: string[] | undefined;
    for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
      if (raw.trim() === '') break;
      if (/^[ \t]/.test(raw)) {
        if (!last) throw new Error('metadata starts with a continuation line');
        const i = last.length - 1;
        last[i] = `${last[i] ?? ''}\n${raw.trim()}`;
        continue;
      }
      const m = /^([A-Za-z0-9][A-Za-z0-9_-]*):[ \t]*(.*)$/.exec(raw);
      if (!m?.[1]) throw new Error(`malformed header line: ${JSON.stringify(raw.slice(0, 80))}`);
      const key = m[1].toLowerCase();
      last = this.#fields.get(key) ?? [];
      last.push((m[2] ?? '').trim());
      this.#fields.set(key, last);
    }
    if (!this.get('name')) throw new Error('metadata has no Name');
    if (!this.get('version')) throw new Error('metadata has no Version');
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
