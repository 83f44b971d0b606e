/**
 * The types of the CycloneDX library's entry points that cdx.ts loads: type-only, so importing
 * this module loads nothing at run time.
 */
export type * as Enums from '@cyclonedx/cyclonedx-library/Enums';
export type * as Models from '@cyclonedx/cyclonedx-library/Models';
export type * as Serialize from '@cyclonedx/cyclonedx-library/Serialize';
export type * as Spec from '@cyclonedx/cyclonedx-library/Spec';
export type * as SPDX from '@cyclonedx/cyclonedx-library/SPDX';
