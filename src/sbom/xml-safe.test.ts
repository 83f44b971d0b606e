import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateJson, validateXml } from './testing/validate.js';
import { buildInventory } from '../inventory/index.js';
import { MemorySource, type MemoryFile } from '../unpack/memory.js';
import { serializeSbom } from './cyclonedx.js';
import { refSafe } from './group.js';
import { xmlSafeText } from './xml-safe.js';

/** What XML 1.0 forbids, one of each kind. */
const HOSTILE = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u001b',
  '\u001f',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
];
/** Allowed but easily mangled: CR, tab, C1 controls, line separators, markup. */
const AWKWARD = ['\r', '\t', '\n', '\u0085', '\u2028', '<', '&', '"', "'", ']]>', '\u{1f600}'];

const tmp = mkdtempSync(join(tmpdir(), 'lamina-xml-safe-'));
/** Well-formedness by libxml2, the parser most consumers use (installed in CI as libxml2-utils). */
function xmllintWellFormed(xml: string): string | null {
  const file = join(tmp, 'bom.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', file], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
  }
}

/** A layer whose names and metadata carry `s` everywhere a parser copies text into the SBOM. */
function layer(s: string): MemorySource {
  const files: Record<string, MemoryFile> = {
    [`nodejs/node_modules/x${s}/package.json`]: JSON.stringify({
      name: `x${s}`,
      version: `1.0.0${s}`,
      description: `d${s}`,
      license: `L${s}`,
      author: `a${s}`,
    }),
    [`python/p${s}-1.0.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: p${s}\nVersion: 1${s}\nSummary: s${s}\n`,
    [`bin/t${s}`]: { data: `#!/bin/sh\necho ${s}\n`, mode: 0o755 },
  };
  return new MemorySource('hostile', files);
}

describe('xmlSafeText', () => {
  it('escapes exactly what XML 1.0 forbids, visibly, and keeps the rest', () => {
    expect(xmlSafeText('a\u0000b\ud800c\uffff')).toBe('a\\u0000b\\uD800c\\uFFFF');
    for (const c of AWKWARD) expect(xmlSafeText(c)).toBe(c);
    expect(xmlSafeText('\ud83d\ude00')).toBe('\ud83d\ude00');
  });

  it('refSafe keeps bom-refs distinct: percent-encodes %, controls and lone surrogates', () => {
    expect(refSafe('a\u0000')).toBe('a%00');
    expect(refSafe('a%00')).toBe('a%2500');
    expect(refSafe('a\ud800')).toBe('a%uD800');
    expect(refSafe('lib/libz.so.1')).toBe('lib/libz.so.1');
  });
});

describe('the SBOM on hostile names, through the whole path', () => {
  async function inventoryOf(s: string) {
    const source = layer(s);
    return buildInventory(source, {
      name: `layer${s}.zip`,
      kind: 'zip',
      sha256: 'a'.repeat(64),
      size: source.size,
      properties: {},
    });
  }

  it('one character at a time: every package kept, the XML well-formed', async () => {
    for (const c of [...HOSTILE, ...AWKWARD]) {
      const inv = await inventoryOf(c);
      // A hostile name never drops a package.
      expect(inv.packages.filter((p) => p.ecosystem !== 'generic')).toHaveLength(2);
      const xml = serializeSbom(inv, { format: 'cyclonedx-xml', specVersion: '1.6' });
      expect(xmllintWellFormed(xml)).toBeNull();
    }
  });

  it('all of them at once: JSON and XML schema-valid, 1.6 and 1.5; JSON keeps the name exactly', async () => {
    const all = [...HOSTILE, ...AWKWARD].join('');
    const inv = await inventoryOf(all);
    for (const spec of ['1.6', '1.5'] as const) {
      const xml = serializeSbom(inv, { format: 'cyclonedx-xml', specVersion: spec });
      expect(xmllintWellFormed(xml)).toBeNull();
      expect(await validateXml(xml, spec)).toBeNull();
      const json = serializeSbom(inv, { format: 'cyclonedx-json', specVersion: spec });
      expect(await validateJson(json, spec)).toBeNull();
      // package.json can carry any code unit, even a lone surrogate; JSON output keeps it.
      const bom = JSON.parse(json) as { components: { name: string }[] };
      expect(bom.components.map((x) => x.name)).toContain(`x${all}`);
    }
  });

  it('bidi, zero-width, C1 and DEL are escapes in the JSON and XML text; values are kept', async () => {
    const s = '\u202egnp.exe\u2066\u200b\u0085\u007f\u2028\ufeff';
    const inv = await inventoryOf(s);
    const raw = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
    const json = serializeSbom(inv, { format: 'cyclonedx-json', specVersion: '1.6' });
    expect(raw.test(json)).toBe(false);
    const bom = JSON.parse(json) as { components: { name: string }[] };
    expect(bom.components.map((x) => x.name)).toContain(`x${s}`);
    const xml = serializeSbom(inv, { format: 'cyclonedx-xml', specVersion: '1.6' });
    expect(raw.test(xml)).toBe(false);
    expect(xml).toContain('&#x202e;gnp.exe&#x2066;');
    expect(await validateXml(xml, '1.6')).toBeNull();
    const file = join(tmp, 'bidi.xml');
    writeFileSync(file, xml);
    const names = execFileSync('xmllint', [
      '--xpath',
      '//*[local-name()="component"]/*[local-name()="name"]/text()',
      file,
    ]).toString('utf8');
    expect(names).toContain(`x${s}`);
  });

  it('stays well-formed for generated strings of any code units', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), async (s) => {
        const source = layer(s.replace(/\//g, '_'));
        const inv = await buildInventory(source, {
          name: 'l.zip',
          kind: 'zip',
          sha256: 'b'.repeat(64),
          size: source.size,
          properties: {},
        });
        const xml = serializeSbom(inv, { format: 'cyclonedx-xml', specVersion: '1.6' });
        expect(xmllintWellFormed(xml)).toBeNull();
      }),
      { numRuns: 60, seed: 7 }
    );
  });
});
