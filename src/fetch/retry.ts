/** Backoff settings for our own retries of one kind of request. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First backoff in ms; doubles each attempt. */
  baseMs: number;
  /** Backoff ceiling in ms. */
  capMs: number;
}

/**
 * The retries of one run, chosen once per use case and passed to every fetch call of the run:
 * API calls the SDK gave up on (on top of its own `maxAttempts`), and content downloads.
 */
export interface RetryPlan {
  api: RetryPolicy;
  download: RetryPolicy;
}

const PATIENT: RetryPolicy = Object.freeze({ attempts: 6, baseMs: 200, capMs: 10_000 });

/** The retry plan of each use case; the only place retry numbers are set. */
export const RETRY = Object.freeze({
  /**
   * `scan`: thousands of calls. The SDK's retry quota can run dry under sustained throttling,
   * and a throttled scan must still complete, only slower.
   */
  estate: Object.freeze({ api: PATIENT, download: PATIENT }),
  /** `verify` (a layer version, a function or `--all`): fewer calls, a shorter ceiling. */
  verify: Object.freeze({
    api: Object.freeze({ attempts: 4, baseMs: 200, capMs: 5_000 }),
    download: Object.freeze({ attempts: 4, baseMs: 200, capMs: 5_000 }),
  }),
  /**
   * One command naming one thing (`sbom ARN`, `sbom --function`, `pin ARN`): a handful of API
   * calls, retried by the SDK alone (`--max-attempts`); the download still gets our retries.
   */
  lookup: Object.freeze({
    api: Object.freeze({ attempts: 1, baseMs: 0, capMs: 0 }),
    download: PATIENT,
  }),
}) satisfies Record<string, RetryPlan>;

/**
 * "Full jitter" backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform delay in [0, min(cap, base * 2^attempt)], so that many clients
 * retrying at once spread out instead of hitting the service in lockstep.
 */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
