/** A coded error: tests assert `code`, never the message. */
export class AwsLocalError<Code extends string> extends Error {
  readonly code: Code;
  override readonly cause?: unknown;

  constructor({ code, message, cause }: { code: Code; message: string; cause?: unknown }) {
    super(message);
    this.code = code;
    this.cause = cause;
    this.name = this.constructor.name;
  }
}
