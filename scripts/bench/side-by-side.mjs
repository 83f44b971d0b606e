// Commands measured side by side with a peer (GNU time): each group's peer, then its lamina
// commands, round after round, so both meet the same load. Used by bench-startup.mjs and
// bench-scan-read.mjs.
import { spawnSync } from 'node:child_process';

/** One run under GNU time: wall seconds, CPU seconds, peak RSS in KiB. */
export function once(label, argv) {
  // What the command prints is not kept (a large report would pass spawnSync's buffer).
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
  const [wall, user, sys, maxKiB] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, kib: maxKiB };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a, b) => Math.round((a / b) * 100) / 100;

/**
 * Run each group's peer and then its lamina commands, round after round, and report the
 * medians and each command's ratios to its peer.
 */
export function measureGroups(runCount, groups) {
  const runs = new Map();
  for (let i = 0; i < runCount; i++)
    for (const g of groups)
      for (const [label, argv] of [g.peer, ...g.rows]) {
        const list = runs.get(label) ?? [];
        list.push(once(label, argv));
        runs.set(label, list);
      }
  const summary = (label) => {
    const list = runs.get(label);
    return {
      label,
      wallS: median(list.map((r) => r.wall)),
      cpuS: Math.round(median(list.map((r) => r.cpu)) * 100) / 100,
      maxRssMiB: Math.round(median(list.map((r) => r.kib)) / 102.4) / 10,
    };
  };
  return groups.map((g) => {
    const peer = summary(g.peer[0]);
    return {
      peer,
      rows: g.rows.map(([label]) => {
        const s = summary(label);
        return {
          ...s,
          ratio: {
            wall: ratio(s.wallS, peer.wallS),
            cpu: ratio(s.cpuS, peer.cpuS),
            rss: ratio(s.maxRssMiB, peer.maxRssMiB),
          },
        };
      }),
    };
  });
}
