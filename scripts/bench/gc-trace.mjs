// Preload (`node --import scripts/bench/gc-trace.mjs ...`) that records where a process's memory
// goes, for the scan benchmark's --gc-trace: after each full (mark-compact) collection the RSS, the
// heap's size and use, what V8 counts outside it (external memory, array buffers) and each V8
// space's size and use; every 20 ms the RSS, to find the peak.
// With phases: a process that passes its progress messages to
// globalThis[Symbol.for('lamina.bench.phase')] (the scan benchmark's child does) gets, for each
// kind of message, when it first came and the peak RSS (VmHWM) so far: the growth from one
// phase's start to the next's is what that phase added to the peak.
// The record is written as JSON to $LAMINA_BENCH_GC_TRACE when the process exits.
// Without that variable it does nothing, so it can be preloaded into a process tree and only
// the process given the variable writes.
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { setInterval } from 'node:timers';
import { getHeapSpaceStatistics } from 'node:v8';
import { peakRssKiB } from './peak-rss.mjs';

const out = process.env.LAMINA_BENCH_GC_TRACE;
if (out) {
  const t0 = performance.now();
  const MiB = 1024 * 1024;
  const mib = (n) => Math.round((n / MiB) * 10) / 10;
  const now = () => Math.round(performance.now() - t0);
  /** @type {{ t: number, rss: number }[]} */
  const rss = [];
  let peak = { t: 0, rss: 0 };
  /** @type {object[]} */
  const fullCollections = [];
  const sample = () => {
    const r = { t: now(), rss: mib(process.memoryUsage.rss()) };
    rss.push(r);
    if (r.rss > peak.rss) peak = r;
  };
  const record = (entries) => {
    for (const e of entries) {
      if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const m = process.memoryUsage();
      const spaces = {};
      for (const s of getHeapSpaceStatistics())
        if (s.space_size > 0)
          spaces[s.space_name.replace(/_space$/, '')] = {
            size: mib(s.space_size),
            used: mib(s.space_used_size),
          };
      fullCollections.push({
        t: now(),
        ms: Math.round(e.duration * 10) / 10,
        rss: mib(m.rss),
        heapTotal: mib(m.heapTotal),
        heapUsed: mib(m.heapUsed),
        external: mib(m.external),
        arrayBuffers: mib(m.arrayBuffers),
        spaces,
      });
    }
  };
  /** @type {{ phase: string, t: number, rss: number, heapUsed: number, peak: number }[]} */
  const phases = [];
  const seen = new Set();
  globalThis[Symbol.for('lamina.bench.phase')] = (message) => {
    // "layers 12/200 (3.1 MiB downloaded)" and "layers 13/200 (...)" are one phase, "layers #/#".
    const phase = String(message)
      .replace(/\(.*\)/g, '')
      .replace(/\d+/g, '#')
      .trim();
    if (seen.has(phase)) return;
    seen.add(phase);
    const m = process.memoryUsage();
    phases.push({
      phase,
      t: now(),
      rss: mib(m.rss),
      heapUsed: mib(m.heapUsed),
      peak: mib(peakRssKiB() * 1024),
    });
  };
  const observer = new PerformanceObserver((list) => record(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    // Node delivers GC entries a tick after the collection: any still queued are recorded
    // here, with the memory as it is at exit (a collection in the very last tick is missed).
    record(observer.takeRecords());
    sample();
    // One RSS sample in ten is enough to draw the curve; the peak is kept exactly.
    const series = rss.filter((_, i) => i % 10 === 0);
    const m = process.memoryUsage();
    phases.push({
      phase: 'exit',
      t: now(),
      rss: mib(m.rss),
      heapUsed: mib(m.heapUsed),
      peak: mib(peakRssKiB() * 1024),
    });
    writeFileSync(out, JSON.stringify({ peak, phases, fullCollections, rss: series }) + '\n');
  });
}
