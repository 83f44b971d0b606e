/** PEP 503 name normalization. */
export function pep503(name: string): string;
/** Canonical key `type/namespace/name@version[?qualifiers]`, or undefined for an unparseable purl. */
export function canonicalKey(purl: string): string | undefined;
/** Canonical package keys of a CycloneDX JSON BOM (file components and purl-less ones left out). */
export function packageKeys(bom: unknown): Set<string>;
/** The purl type of a canonical key. */
export function ecosystemOf(key: string): string;
/** Keys per ecosystem plus `total`. */
export function countByEcosystem(keys: Set<string>): Record<string, number>;
/** Per ecosystem: keys in both, only in `a`, only in `b` (sorted). */
export function diffKeys(
  a: Set<string>,
  b: Set<string>
): Record<string, { both: number; onlyA: string[]; onlyB: string[] }>;
/** Basenames of the jars a BOM derived at least one maven component from. */
export function jarsIdentified(bom: unknown): Set<string>;
/** Layer-relative evidence paths per canonical key (occurrences and cdxgen SrcFile). */
export function evidenceByKey(bom: unknown): Map<string, string[]>;
/** Why one tool reported `key` and the other did not. */
export function classifyMiss(
  key: string,
  evidence: string[],
  disputedJars: Set<string>
): 'not-installed' | 'same-jar-other-coordinates' | 'missed';
/** One one-sided key with the reporting tool's evidence and the reason the other side lacks it. */
export interface OneSided {
  key: string;
  reason: 'not-installed' | 'same-jar-other-coordinates' | 'missed';
  evidence: string[];
}
/** Compare lamina's BOM (`a`) with the peer's (`b`) on canonical keys. */
export function compareBoms(
  a: unknown,
  b: unknown,
  jarsInLayer: string[],
  listLimit?: number
): {
  packages: { lamina: Record<string, number>; cdxgen: Record<string, number> };
  perEcosystem: Record<
    string,
    {
      both: number;
      onlyLamina: number;
      onlyCdxgen: number;
      onlyLaminaSample: OneSided[];
      onlyCdxgenSample: OneSided[];
    }
  >;
  jars: {
    total: number;
    identifiedByLamina: number;
    identifiedByCdxgen: number;
    missedByLamina: string[];
    missedByCdxgen: string[];
    disputed: string[];
  };
  realMissesByLamina: number;
  realMissesByCdxgen: number;
};
