/**
 * The AWS SDK's client packages, loaded with `require` when first asked for. They are CommonJS:
 * importing one from an ES module makes Node parse the client and every module it re-exports a
 * second time to find their export names (util/cjs.ts), 40–50 ms of CPU for the Lambda and STS
 * clients a scan loads. Their types are imported with `import type`, which loads nothing.
 */
import type * as Ecr from '@aws-sdk/client-ecr';
import type * as Lambda from '@aws-sdk/client-lambda';
import type * as S3 from '@aws-sdk/client-s3';
import type * as Signer from '@aws-sdk/client-signer';
import type * as Sts from '@aws-sdk/client-sts';
import { requireCjs } from '../../util/cjs.js';

/** `@aws-sdk/client-lambda` */
export const lambdaSdk = (): typeof Lambda => requireCjs('@aws-sdk/client-lambda') as typeof Lambda;
/** `@aws-sdk/client-sts` */
export const stsSdk = (): typeof Sts => requireCjs('@aws-sdk/client-sts') as typeof Sts;
/** `@aws-sdk/client-signer` */
export const signerSdk = (): typeof Signer => requireCjs('@aws-sdk/client-signer') as typeof Signer;
/** `@aws-sdk/client-s3` */
export const s3Sdk = (): typeof S3 => requireCjs('@aws-sdk/client-s3') as typeof S3;
/** `@aws-sdk/client-ecr` */
export const ecrSdk = (): typeof Ecr => requireCjs('@aws-sdk/client-ecr') as typeof Ecr;
