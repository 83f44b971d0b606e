export const SITE_PACKAGES: string;
export const JAVA_DIRS: string[];
export const PY_EXCLUDE: Set<string>;
export const PY_TOP_LEVEL: Set<string>;
/** One RECORD row: the raw line, the path and the hash field (empty when unhashed). */
export function parseRecord(text: string): { line: string; path: string; hash: string }[];
/** Build (or reuse) the benchmark layer under `benchDir`. */
export function buildLayer(
  benchDir: string,
  opts?: { rebuild?: boolean; log?: (s: string) => void }
): { dir: string; zip: string; manifest: Record<string, unknown> };
