export { TrustRootError, type TrustRootErrorCode } from './errors.js';
export {
  loadTrustedRoot,
  type LoadTrustedRootOptions,
  type TrustedRootMaterial,
} from './trusted-root.js';
export {
  PUBLIC_GOOD_SHA256,
  PUBLIC_GOOD_RELATIVE_PATH,
  loadPublicGoodTrustedRoot,
  publicGoodTrustedRootPath,
} from './public-good.js';
