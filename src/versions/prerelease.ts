/**
 * SemVer 2.0.0 §11 precedence of dot-separated prerelease identifiers, shared by the orders that
 * use it: a release sorts after its prereleases, numeric identifiers compare as numbers and before
 * alphanumeric ones, and a shorter list sorts first when all its identifiers are equal.
 * @param fold compare alphanumeric identifiers case-insensitively (NuGet does; SemVer does not)
 */
export function comparePrerelease(
  a: readonly string[],
  b: readonly string[],
  fold = false
): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (xn !== yn) {
      return xn ? -1 : 1;
    } else {
      const xl = fold ? x.toLowerCase() : x;
      const yl = fold ? y.toLowerCase() : y;
      if (xl !== yl) return xl < yl ? -1 : 1;
    }
  }
  return 0;
}
