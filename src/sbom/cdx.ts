/**
 * The parts of the CycloneDX library lamina uses, each from its own entry point: the package
 * root also loads its validators (ajv, libxmljs2) and contrib builders, which cost start-up time
 * on every `lamina sbom` and are never called.
 */
export * as Enums from '@cyclonedx/cyclonedx-library/Enums';
export * as Models from '@cyclonedx/cyclonedx-library/Models';
export * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
export * as Spec from '@cyclonedx/cyclonedx-library/Spec';
export * as SPDX from '@cyclonedx/cyclonedx-library/SPDX';
