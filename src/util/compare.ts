/**
 * Strings in UTF-16 code unit order, as `Array.prototype.sort` orders them by default and
 * unlike `localeCompare`: the same order on every machine and locale, which deterministic
 * output needs.
 */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
