/** The committed image fixtures (testdata/images/README.md) and the digests a correct reader gets. */
/** The Alpine 3.17.2 OCI layout notation-go ships as a test vector, unchanged. */
export const ALPINE_LAYOUT = 'testdata/images/vectors/notation-go/internal/testdata/oci-layout';
export const MULTI_LAYOUT = 'testdata/images/multi-oci';
export const MULTI_ARM64_ARCHIVE = 'testdata/images/multi-arm64.docker.tar';
export const ALPINE_MANIFEST =
  'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
export const ALPINE_CONFIG =
  'sha256:572996c3caeacea40b947911a9dda21516c082b5a64af30048a02a6f5eb956d4';
export const ALPINE_LAYER =
  'sha256:63b65145d645c1250c391b2d16ebe53b3747c295ca8ba2fcb6b0cf064a4dc21c';
export const ALPINE_LAYER_SIZE = 3374446;
export const ALPINE_DIFF_ID =
  'sha256:7cd52847ad775a5ddc4b58326cf884beee34544296402c6292ed76474c686d39';
