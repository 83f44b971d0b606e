/**
 * Fault injection for the local endpoint, set per run with a spec such as
 * `throttle=0.2,5xx=0.1,latency=50-200,reset=0.05,truncate=0.1,badsha=1,expired=0.3,seed=42`.
 * A rate may target one operation (`throttle@ListFunctions=0.5`) or, for content
 * faults, one content key (`badsha@my-layer:2=1`). Decisions come from a seeded PRNG
 * so a run is reproducible. `rate=15` is a quota, not a fault rate: Lambda API requests per
 * second per account and Region (a token bucket holding one second's worth, at least one); the requests
 * above it are throttled, as the service's control-plane quotas do.
 */
import { createHash } from 'node:crypto';
import { AwsLocalError } from './errors.js';

/** The fault kinds. `badsha` is decided per content item (stable), the rest per request. */
export const FAULT_KINDS = ['throttle', '5xx', 'reset', 'truncate', 'badsha', 'expired'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A bad `--faults` spec. */
export class FaultSpecError extends AwsLocalError<'BAD_FAULT_SPEC'> {}

export interface FaultSpec {
  /** Rates in [0,1] keyed by kind, then by target ('*' = every target). */
  rates: Map<FaultKind, Map<string, number>>;
  /** Added delay per request, uniformly in [min,max] ms. */
  latency: { min: number; max: number } | undefined;
  /** Lambda API requests per second per account and Region (undefined: no quota). */
  ratePerSecond?: number;
  seed: number;
}

/** Parses a fault spec string; an empty string means no faults. */
export function parseFaultSpec(spec: string): FaultSpec {
  const out: FaultSpec = { rates: new Map(), latency: undefined, seed: 1 };
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0)
      throw new FaultSpecError({ code: 'BAD_FAULT_SPEC', message: `${part}: expected KIND=VALUE` });
    const lhs = part.slice(0, eq);
    const value = part.slice(eq + 1);
    const at = lhs.indexOf('@');
    const kind = at < 0 ? lhs : lhs.slice(0, at);
    const target = at < 0 ? '*' : lhs.slice(at + 1);
    if (kind === 'seed') {
      if (!/^\d+$/.test(value))
        throw new FaultSpecError({ code: 'BAD_FAULT_SPEC', message: `seed must be an integer` });
      out.seed = Number(value);
    } else if (kind === 'rate') {
      const n = Number(value);
      if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0))
        throw new FaultSpecError({
          code: 'BAD_FAULT_SPEC',
          message: `rate must be a positive number of requests per second`,
        });
      out.ratePerSecond = n;
    } else if (kind === 'latency') {
      const m = /^(\d+)(?:-(\d+))?$/.exec(value);
      if (!m)
        throw new FaultSpecError({
          code: 'BAD_FAULT_SPEC',
          message: `latency must be MS or MIN-MAX`,
        });
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : Number(m[2]);
      if (max < min)
        throw new FaultSpecError({ code: 'BAD_FAULT_SPEC', message: `latency range is reversed` });
      out.latency = { min, max };
    } else if ((FAULT_KINDS as readonly string[]).includes(kind)) {
      const rate = Number(value);
      if (value === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
        throw new FaultSpecError({
          code: 'BAD_FAULT_SPEC',
          message: `${lhs}: rate must be between 0 and 1`,
        });
      }
      const k = kind as FaultKind;
      const byTarget = out.rates.get(k) ?? new Map<string, number>();
      byTarget.set(target, rate);
      out.rates.set(k, byTarget);
    } else {
      throw new FaultSpecError({
        code: 'BAD_FAULT_SPEC',
        message: `${kind}: unknown fault (known: ${[...FAULT_KINDS, 'latency', 'rate', 'seed'].join(', ')})`,
      });
    }
  }
  return out;
}

/** mulberry32: tiny, good enough, and identical everywhere for a given seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws fault decisions for one server run. */
export class FaultInjector {
  private readonly rng: () => number;
  constructor(readonly spec: FaultSpec) {
    // Hash the seed first: mulberry32's first draws for small adjacent seeds are alike.
    this.rng = mulberry32(createHash('sha256').update(String(spec.seed)).digest().readUInt32BE(0));
  }

  private rate(kind: FaultKind, target: string): number {
    const byTarget = this.spec.rates.get(kind);
    return byTarget?.get(target) ?? byTarget?.get('*') ?? 0;
  }

  /** Per-request decision (throttle, 5xx, reset, truncate, expired). */
  roll(kind: FaultKind, target: string): boolean {
    const r = this.rate(kind, target);
    if (r <= 0) return false;
    if (r >= 1) return true;
    return this.rng() < r;
  }

  /**
   * Per-item decision that does not depend on request order: the same content
   * item is always (or never) tampered in a run, like a really corrupted object.
   */
  sticky(kind: FaultKind, target: string): boolean {
    const r = this.rate(kind, target);
    if (r <= 0) return false;
    if (r >= 1) return true;
    const h = createHash('sha256').update(`${this.spec.seed}\0${kind}\0${target}`).digest();
    return h.readUInt32BE(0) / 4294967296 < r;
  }

  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /**
   * Whether a request on `key` (account and Region) exceeds the `rate` quota at `nowMs`: a
   * token bucket of one second's worth, refilled continuously. False when no quota is set.
   */
  overQuota(key: string, nowMs: number): boolean {
    const rate = this.spec.ratePerSecond;
    if (rate === undefined) return false;
    const capacity = Math.max(1, rate);
    const b = this.buckets.get(key) ?? { tokens: capacity, at: nowMs };
    b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.at) / 1000) * rate);
    b.at = nowMs;
    this.buckets.set(key, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  /** Milliseconds to delay this request, 0 when no latency is configured. */
  delay(): number {
    const l = this.spec.latency;
    if (!l) return 0;
    return l.min + Math.floor(this.rng() * (l.max - l.min + 1));
  }
}
