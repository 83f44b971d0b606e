/**
 * Small pieces the image signature verifiers share: a coded failure that ends a verification
 * at the first failed check, and the strict encodings they accept.
 */

/** A failed check inside a verifier; the verifier turns it into `{ ok: false, code }`. */
export class CheckFailure<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string
  ) {
    super(message);
  }
}

/** The `fail` function of a verifier whose codes are `Code`. */
export function failer<Code extends string>(): (code: Code, message: string) => never {
  return (code, message) => {
    throw new CheckFailure(code, message);
  };
}

/** Standard padded base64 (RFC 4648 §4), as Go's encoding/json writes byte slices and `x5c` holds DER. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The code and detail of whatever ended a verification: a {@link CheckFailure}, or `otherwise`. */
export function failedCheck<Code extends string>(
  e: unknown,
  otherwise: Code
): { code: Code; detail: string } {
  if (e instanceof CheckFailure) return { code: e.code as Code, detail: e.message };
  return {
    code: otherwise,
    detail: `verification error: ${e instanceof Error ? e.message : String(e)}`,
  };
}
