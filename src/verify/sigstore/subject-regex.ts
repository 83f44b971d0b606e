/**
 * A keyless anchor's `subjectRegex`, compiled one way wherever it is read (the policy loader
 * and the verifier), so what was validated is what matches.
 */

/**
 * The anchored matcher of `pattern`: `^(?:pattern)$` in Unicode mode. The pattern must be a
 * whole regular expression by itself: `a)|(.*` would otherwise close the group and wrap as
 * `^(?:a)|(.*)$`, which matches any SAN.
 * @throws SyntaxError when the pattern does not compile on its own
 */
export function compileSubjectRegex(pattern: string): RegExp {
  new RegExp(pattern, 'u');
  return new RegExp(`^(?:${pattern})$`, 'u');
}
