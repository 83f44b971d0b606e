/**
 * Whether an inventory saw everything a runtime could load. This one pure function decides it
 * for `Inventory.complete`, the SBOM's `compositions` and the verifier's `inventory:complete`
 * check, so the three can never disagree.
 */
import type { Finding, FindingCode } from '../model/finding.js';
import type { Inventory } from '../model/inventory.js';

/** Why an inventory is incomplete: a finding code, or an executable no package owns. */
export type GapCode = FindingCode | 'UNOWNED_EXECUTABLE';

/** One thing the inventory could not account for. */
export interface InventoryGap {
  code: GapCode;
  /** Layer-relative path, when the gap is about one entry. */
  path?: string;
  /** One human sentence (from the finding, or built for an unowned executable). */
  message: string;
}

/**
 * Finding codes that mean an entry was not seen, whatever their severity: a metadata file that
 * failed to parse, an entry that could not be read, a refused nested archive, a special entry
 * that was skipped, a binary too large to search for build info. Every `error`-severity finding
 * counts too (severity `error` means "the inventory could not see something a runtime could
 * load").
 */
export const INCOMPLETE_FINDING_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'PARSE_ERROR',
  'READ_ERROR',
  'NESTED_ARCHIVE_REFUSED',
  'SPECIAL_FILE',
  'BINARY_NOT_INSPECTED',
]);

/**
 * Every code a policy may name in `inventory.allow` (policies/policy.schema.json lists the same;
 * a test keeps them in step).
 */
export const GAP_CODES = [
  'PATH_TRAVERSAL',
  'ABSOLUTE_PATH',
  'BACKSLASH_IN_PATH',
  'SYMLINK_OUTSIDE_LAYER',
  'CASE_COLLISION',
  'PARSE_ERROR',
  'READ_ERROR',
  'RECORD_HASH_MISMATCH',
  'RECORD_FILE_MISSING',
  'RECORD_FILE_UNLISTED',
  'NESTED_ARCHIVE_REFUSED',
  'BINARY_NOT_INSPECTED',
  'SPECIAL_FILE',
  'SHADOWED_FILE',
  'SYMLINK_LOOP',
  'SYMLINK_DANGLING',
  'CLASS_PATH_DANGLING',
  'SYMLINK_CYCLE',
  'PATH_TOO_LONG',
  'METADATA_INCOMPLETE',
  'AMBIGUOUS_METADATA',
  'OWNERSHIP_CLAIM_IGNORED',
  'RECORD_NOT_VERIFIED',
  'BYTECODE_NOT_VERIFIED',
  'PTH_PATH_NOT_INSPECTED',
  'STDLIB_SHADOWED',
  'TAR_NO_END_BLOCKS',
  'DUPLICATE_DIRECTORY',
  'NORMALIZATION_TWIN',
  'WHITEOUT_SAME_LAYER',
  'WRITE_THROUGH_SYMLINK',
  'DANGLING_HARDLINK',
  'HARDLINK_TO_LOWER_LAYER',
  'HARDLINK_TO_WHITED_OUT',
  'PACKAGE_FILE_MODIFIED',
  'PACKAGE_FILE_MISSING',
  'UNSUPPORTED_DATABASE',
  'DATABASE_WAL',
  'ENV_LOADER',
  'LIBRARY_NOT_RESOLVED',
  'UNOWNED_EXECUTABLE',
] as const satisfies readonly GapCode[];

// Adding a FindingCode without listing it above fails the type check here.
type Unlisted = Exclude<GapCode, (typeof GAP_CODES)[number]>;
const everyCodeListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCodeListed;

/** True when a finding means the inventory could not see something. */
export function isGapFinding(f: Finding): boolean {
  return f.severity === 'error' || INCOMPLETE_FINDING_CODES.has(f.code);
}

/**
 * Everything that makes an inventory incomplete, sorted by path then code: gap findings (on the
 * inventory or on its packages) and every `file` component (an executable, shared library,
 * native addon or extension) that no package links to through `dependsOn`. Empty means complete.
 */
export function inventoryGaps(inv: Pick<Inventory, 'packages' | 'findings'>): InventoryGap[] {
  const gaps: InventoryGap[] = [];
  const seen = new Set<string>();
  const add = (g: InventoryGap): void => {
    const k = `${g.code}\0${g.path ?? ''}\0${g.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    gaps.push(g);
  };
  const findings = [...inv.findings, ...inv.packages.flatMap((p) => p.findings)];
  for (const f of findings) {
    if (!isGapFinding(f)) continue;
    add({ code: f.code, ...(f.path !== undefined ? { path: f.path } : {}), message: f.message });
  }
  // A file component is owned when a package (not itself a bare file) depends on it.
  const linked = new Set<string>();
  for (const p of inv.packages) if (p.type !== 'file') for (const d of p.dependsOn) linked.add(d);
  for (const p of inv.packages) {
    if (p.type !== 'file' || linked.has(p.id)) continue;
    const path = p.locations[0]?.path ?? p.name;
    add({
      code: 'UNOWNED_EXECUTABLE',
      path,
      message: `${path} can run or be loaded, and no package owns it`,
    });
  }
  return gaps.sort(
    (a, b) =>
      (a.path ?? '').localeCompare(b.path ?? '', 'en') ||
      a.code.localeCompare(b.code, 'en') ||
      a.message.localeCompare(b.message, 'en')
  );
}

/** True when nothing in {@link inventoryGaps} applies. */
export function isInventoryComplete(inv: Pick<Inventory, 'packages' | 'findings'>): boolean {
  return inventoryGaps(inv).length === 0;
}
