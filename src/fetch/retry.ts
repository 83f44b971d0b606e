/** Backoff settings for our own retries (content downloads, and API calls the SDK gave up on). */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** First backoff in ms; doubles each attempt. */
  baseMs: number;
  /** Backoff ceiling in ms. */
  capMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 6,
  baseMs: 200,
  capMs: 10_000,
});

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
