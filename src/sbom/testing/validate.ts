import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as CDX from '@cyclonedx/cyclonedx-library';

const VERSIONS = { '1.6': CDX.Spec.Version.v1dot6, '1.5': CDX.Spec.Version.v1dot5 } as const;

/** Validate a JSON SBOM with the library's strict validator; returns null when valid. */
export async function validateJson(json: string, spec: '1.6' | '1.5' = '1.6'): Promise<unknown> {
  return new CDX.Validation.JsonStrictValidator(VERSIONS[spec]).validate(json);
}

/**
 * Validate an XML SBOM against the CycloneDX XSD. Uses the library's XmlValidator where its
 * optional native addon (libxmljs2) happens to be installed; lamina does not install it (it has
 * open advisories and builds per Node version), so normally this runs xmllint (Debian
 * libxml2-utils) on the same XSD files the library ships. Either way a real schema check.
 */
export async function validateXml(xml: string, spec: '1.6' | '1.5' = '1.6'): Promise<unknown> {
  try {
    return await new CDX.Validation.XmlValidator(VERSIONS[spec]).validate(xml);
  } catch (err) {
    if (!(err instanceof CDX.Validation.MissingOptionalDependencyError)) throw err;
  }
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json'));
  const xsd = join(root, 'res', 'schema', `bom-${spec}.SNAPSHOT.xsd`);
  const dir = mkdtempSync(join(tmpdir(), 'lamina-xml-'));
  const file = join(dir, 'bom.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { stdio: 'pipe' });
    return null;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return e.stderr?.toString() ?? e.message;
  }
}
