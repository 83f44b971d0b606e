/**
 * What a diff's summary adds up to, apart from the diff itself: a report that only counts
 * changes loads neither the diff nor the version orderings behind it (~30 ms of a start-up).
 */

/** What a diff counts, per kind of change. */
export interface DiffSummary {
  added: number;
  removed: number;
  upgraded: number;
  downgraded: number;
  /** Version changed, order unknown. */
  unordered: number;
  contentChanged: number;
  executablesAdded: number;
  executablesRemoved: number;
  executablesChanged: number;
  /** Entries equal on both sides. */
  unchanged: number;
}

/** Number of differences a summary counts (everything but `unchanged`). */
export function changeCount(s: DiffSummary): number {
  return (
    s.added +
    s.removed +
    s.upgraded +
    s.downgraded +
    s.unordered +
    s.contentChanged +
    s.executablesAdded +
    s.executablesRemoved +
    s.executablesChanged
  );
}
