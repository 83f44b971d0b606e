import { BaseError } from '../../errors.js';

/** Why a binary's structure or embedded metadata could not be read. */
export type BinaryParseErrorCode =
  'MALFORMED_ELF' | 'MALFORMED_GO_BUILDINFO' | 'UNSUPPORTED_GO_BUILDINFO' | 'MALFORMED_AUDIT_DATA';

/**
 * A binary the parsers refuse. The cataloger turns it into a finding and
 * still records the file with its hash.
 */
export class BinaryParseError extends BaseError<BinaryParseErrorCode> {}
