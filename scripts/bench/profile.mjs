// Summarize a V8 .cpuprofile (written by `node --cpu-prof`) as the functions
// with the most self time. Format: https://chromedevtools.github.io/devtools-protocol/tot/Profiler/#type-Profile
import { readFileSync } from 'node:fs';

/**
 * Top `limit` functions by self time, aggregated over every node with the
 * same function name, script and line.
 * @returns {{ fn: string, where: string, selfMs: number, pct: number }[]}
 */
export function topSelfTime(profilePath, limit = 15, root = '') {
  const prof = JSON.parse(readFileSync(profilePath, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  // samples[i] was taken timeDeltas[i+1] microseconds before the next one;
  // attributing each delta to the sample that precedes it is what DevTools does.
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  let total = 0;
  const agg = new Map();
  for (const [id, us] of selfUs) {
    total += us;
    const cf = byId.get(id)?.callFrame;
    if (!cf) continue;
    const url = cf.url.replace(/^file:\/\//, '').replace(root, '');
    const fn = cf.functionName || '(anonymous)';
    const where = url ? `${url}:${cf.lineNumber + 1}` : '';
    const key = `${fn}\u0000${where}`;
    const a = agg.get(key) ?? { fn, where, selfMs: 0, pct: 0 };
    a.selfMs += us / 1000;
    agg.set(key, a);
  }
  return [...agg.values()]
    .map((a) => ({
      ...a,
      selfMs: Math.round(a.selfMs),
      pct: total ? Math.round((a.selfMs * 1000 * 1000) / total) / 10 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}

/**
 * Self time charged to the nearest project frame on the stack (a script
 * under `root`, outside node_modules), so time spent inside Node internals
 * (zlib, fs, crypto) shows up at the project function that asked for it.
 * @returns {{ fn: string, where: string, selfMs: number, pct: number }[]}
 */
export function topByProjectFrame(profilePath, root, limit = 15) {
  const prof = JSON.parse(readFileSync(profilePath, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isProject = (cf) =>
    cf.url.startsWith(`file://${root}`) && !cf.url.includes('/node_modules/');
  const owner = new Map();
  const ownerOf = (id) => {
    if (owner.has(id)) return owner.get(id);
    const n = byId.get(id);
    const o = !n ? undefined : isProject(n.callFrame) ? id : ownerOf(parent.get(id));
    owner.set(id, o);
    return o;
  };
  let total = 0;
  const agg = new Map();
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = Math.max(0, prof.timeDeltas[i + 1] ?? 0);
    const n = byId.get(prof.samples[i]);
    if (n?.callFrame.functionName === '(idle)') continue;
    total += dt;
    const o = ownerOf(prof.samples[i]);
    const cf = o === undefined ? undefined : byId.get(o)?.callFrame;
    const fn = cf ? cf.functionName || '(anonymous)' : '(outside project code)';
    const where = cf ? `${cf.url.slice(`file://${root}`.length)}:${cf.lineNumber + 1}` : '';
    const key = `${fn}\u0000${where}`;
    const a = agg.get(key) ?? { fn, where, selfMs: 0, pct: 0 };
    a.selfMs += dt / 1000;
    agg.set(key, a);
  }
  return [...agg.values()]
    .map((a) => ({
      ...a,
      selfMs: Math.round(a.selfMs),
      pct: total ? Math.round((a.selfMs * 1000 * 1000) / total) / 10 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, limit);
}
