import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digest, estate, inventory, lvArn } from '../estate/testing/estate.js';
import type { Inventory } from '../model/inventory.js';
import { serializeSbom } from '../sbom/cyclonedx.js';
import { heldPer } from '../util/testing/heap.js';
import { sbomPathOf, sbomPathOfHex, scanInventoryReader } from './drift.js';

const E = 'us-east-1';
const dir = mkdtempSync(join(tmpdir(), 'lamina-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A scan directory as `lamina scan` leaves it: one SBOM per digest under sboms/.
const tags = ['one', 'two', 'three'];
const result = estate(
  tags.map((tag, i) => ({ region: E, name: 'base', version: i + 1, tag })),
  [[E, 'f', [['base', 1]]]]
);
mkdirSync(join(dir, 'sboms'));
for (const v of result.layers[0]!.versions) {
  v.sbom = sbomPathOf(v.digest!)!;
  const tag = tags[v.version - 1]!;
  const text = serializeSbom(inventory(tag, { [`pkg-${tag}`]: '1.0.0' }), {
    format: 'cyclonedx-json',
    specVersion: '1.6',
  });
  if (tag !== 'three') writeFileSync(join(dir, v.sbom), text);
}

/** A reader that counts the SBOMs it parses (through `keep`, called once per read). */
function counted(maxBytes: number) {
  const reads: string[] = [];
  const read = scanInventoryReader(
    result,
    dir,
    (inv: Inventory) => {
      reads.push(inv.packages[0]!.name);
      return inv;
    },
    maxBytes
  );
  return { read, reads };
}

describe('scanInventoryReader', () => {
  it('reads an SBOM when asked and keeps what fits, the most recently used', () => {
    const { read, reads } = counted(1024 * 1024);
    expect(read(digest('one'))!.packages.map((p) => p.name)).toEqual(['pkg-one']);
    read(digest('two'));
    read(digest('one'));
    expect(reads).toEqual(['pkg-one', 'pkg-two']);
  });

  it('reads one again once it was let go for others', () => {
    // Room for one SBOM: each read lets the other go.
    const { read, reads } = counted(1);
    read(digest('one'));
    read(digest('two'));
    expect(read(digest('one'))!.packages[0]!.name).toBe('pkg-one');
    expect(reads).toEqual(['pkg-one', 'pkg-two', 'pkg-one']);
  });

  it("names an inventory with the result's ARN string when the SBOM names that version", () => {
    const named = estate(
      [1, 2].map((version) => ({ region: E, name: 'named', version, tag: `named-${version}` })),
      []
    );
    const versions = named.layers[0]!.versions;
    const at = mkdtempSync(join(tmpdir(), 'lamina-drift-named-'));
    try {
      mkdirSync(join(at, 'sboms'));
      for (const v of versions) {
        v.sbom = sbomPathOf(v.digest!)!;
        const inv = inventory(`named-${v.version}`, { a: '1.0.0' });
        const text = serializeSbom(
          { ...inv, artifact: { ...inv.artifact, name: lvArn(E, 'named', v.version) } },
          { format: 'cyclonedx-json', specVersion: '1.6' }
        );
        writeFileSync(join(at, v.sbom), text);
      }
      // Room for one: read in turn, each is parsed from its SBOM again.
      const read = scanInventoryReader(named, at, (i) => i, 1);
      let n = 0;
      const name = (): string => read(versions[n++ % 2]!.digest!)!.artifact.name;
      // A name parsed from the SBOM is a string of its own, 80 bytes for this ARN; the result's
      // string costs a list slot.
      const held = heldPer(name, versions[1]!.arn, 20_000);
      expect(held).toBeLessThan(40);
    } finally {
      rmSync(at, { recursive: true, force: true });
    }
  });

  it('says nothing of a digest without a readable SBOM, and does not look again', () => {
    const { read } = counted(1024 * 1024);
    expect(read(digest('three'))).toBeUndefined();
    expect(read(digest('not in the scan'))).toBeUndefined();
    // Written after it was found missing: the analysis keeps one answer for it.
    const three = result.layers[0]!.versions[2]!;
    writeFileSync(
      join(dir, three.sbom!),
      serializeSbom(inventory('three', { x: '1' }), {
        format: 'cyclonedx-json',
        specVersion: '1.6',
      })
    );
    expect(read(digest('three'))).toBeUndefined();
    expect(counted(1024 * 1024).read(digest('three'))).toBeDefined();
  });
});

describe('sbomPathOfHex', () => {
  it('is where sbomPathOf puts a digest, as one flat string', () => {
    const hex = 'ab'.repeat(32);
    expect(sbomPathOfHex(hex)).toBe(`sboms/${hex}.cdx.json`);
    expect(sbomPathOf(`sha256:${hex}`)).toBe(sbomPathOfHex(hex));
    expect(sbomPathOf(`sha256:${hex.toUpperCase()}`)).toBeUndefined();
    // What the result keeps per layer version; the hex the scan let go.
    let n = 0;
    const hexOf = (): string => n.toString(16).padStart(64, String(n++ % 10));
    const flat = heldPer(() => sbomPathOfHex(hexOf()), expect.stringMatching(/^sboms\//));
    const cons = heldPer(() => `sboms/${hexOf()}.cdx.json`, expect.stringMatching(/^sboms\//));
    // One 80-character string (96 bytes) and its slot (8), ~103.5 measured; a loaded machine
    // adds a byte or so to a heap figure. The template's cons strings hold ~3 × that.
    expect(flat).toBeLessThan(112);
    expect(cons).toBeGreaterThan(flat + 40);
  });
});
