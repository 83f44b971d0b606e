import { inflateSync } from 'node:zlib';
import type { ElfFile } from './elf.js';
import { BinaryParseError } from './errors.js';

/**
 * Dependency data embedded by cargo-auditable: zlib-compressed JSON in the
 * `.dep-v0` section.
 * Schema: https://github.com/rust-secure-code/cargo-auditable/blob/master/cargo-auditable.schema.json
 */

/** One crate of the dependency tree (auditable-serde `Package`). */
export interface AuditablePackage {
  name: string;
  version: string;
  /** `crates.io`, `git`, `local`, `registry`, or another source's name. */
  source: string;
  /** `runtime` when omitted. */
  kind: 'runtime' | 'build';
  /** Indexes into `packages`. */
  dependencies: number[];
  root: boolean;
}

/** auditable-serde `VersionInfo`. */
export interface AuditableInfo {
  packages: AuditablePackage[];
}

export const AUDITABLE_SECTION = '.dep-v0';

function malformed(message: string): BinaryParseError {
  return new BinaryParseError({ code: 'MALFORMED_AUDIT_DATA', message });
}

/**
 * Read cargo-auditable data from a Rust binary.
 * @param maxBytes bound on the decompressed JSON (a zlib bomb stops here).
 * @returns undefined when the binary has no `.dep-v0` section.
 * @throws BinaryParseError `MALFORMED_AUDIT_DATA`
 */
export function readCargoAuditable(elf: ElfFile, maxBytes: number): AuditableInfo | undefined {
  const sec = elf.section(AUDITABLE_SECTION);
  if (!sec) return undefined;
  let json: Buffer;
  try {
    json = inflateSync(elf.sectionData(sec), { maxOutputLength: maxBytes });
  } catch (err) {
    throw malformed(
      `cannot decompress ${AUDITABLE_SECTION}: ${err instanceof Error ? err.message : String(err)}`
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw malformed(
      `${AUDITABLE_SECTION} is not JSON: ${err instanceof Error ? err.message : String(err)}`
    );
  }
  return validate(data);
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check the JSON against the schema's shape; indexes must point inside the list. */
export function validate(data: unknown): AuditableInfo {
  if (!isObj(data) || !Array.isArray(data.packages)) throw malformed('no "packages" array');
  const list: unknown[] = data.packages;
  const packages = list.map((p, i): AuditablePackage => {
    if (!isObj(p)) throw malformed(`package ${i} is not an object`);
    const { name, version, source, kind, dependencies, root } = p;
    if (typeof name !== 'string' || typeof version !== 'string')
      throw malformed(`package ${i} lacks a string name or version`);
    let src: string;
    if (typeof source === 'string') src = source;
    else if (isObj(source) && typeof source.Other === 'string') src = source.Other;
    else throw malformed(`package ${i} has no valid source`);
    if (kind !== undefined && kind !== 'build' && kind !== 'runtime')
      throw malformed(`package ${i} has unknown kind`);
    const deps = dependencies ?? [];
    if (
      !Array.isArray(deps) ||
      !deps.every(
        (d): d is number =>
          Number.isInteger(d) && (d as number) >= 0 && (d as number) < list.length && d !== i
      )
    )
      throw malformed(`package ${i} has invalid dependency indexes`);
    return {
      name,
      version,
      source: src,
      kind: kind ?? 'runtime',
      dependencies: deps,
      root: root === true,
    };
  });
  return { packages };
}
