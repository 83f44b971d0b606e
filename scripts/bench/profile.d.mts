/** Top `limit` functions by self time in a V8 .cpuprofile. */
export function topSelfTime(
  profilePath: string,
  limit?: number,
  root?: string
): { fn: string; where: string; selfMs: number; pct: number }[];
/** Self time charged to the nearest project frame (a script under `root`, outside node_modules). */
export function topByProjectFrame(
  profilePath: string,
  root: string,
  limit?: number
): { fn: string; where: string; selfMs: number; pct: number }[];
