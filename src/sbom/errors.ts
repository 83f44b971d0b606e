import { BaseError } from '../errors.js';

/** Codes for an SBOM lamina cannot read back. */
export type SbomReadErrorCode = 'NOT_JSON' | 'NOT_CYCLONEDX' | 'TOO_MANY_COMPONENTS';

/**
 * An SBOM file that is not a CycloneDX JSON document lamina can read (./read.ts). Exit code 2.
 * Apart from the reader so that the exit-code table does not load it.
 */
export class SbomReadError extends BaseError<SbomReadErrorCode> {
  readonly exitCode = 2;
}
