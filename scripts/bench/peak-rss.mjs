// The peak RSS of the process that calls it, in KiB, for the bench scripts' children.
//
// Linux counts in getrusage's maxRSS (process.resourceUsage().maxRSS) the pages of the parent's
// copy that fork made before exec: a child of 39 MiB spawned by a process holding 404 MiB more
// reads 404 MiB. The bench processes hold the local endpoint and its generated estate, so a
// scan child below their size read as theirs. VmHWM in /proc/self/status is the peak since exec;
// getrusage stays where there is no /proc.
import { readFileSync } from 'node:fs';

export function peakRssKiB() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // No /proc: getrusage's figure, below.
  }
  return process.resourceUsage().maxRSS;
}
