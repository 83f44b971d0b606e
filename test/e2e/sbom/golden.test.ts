/**
 * Golden SBOMs: `lamina sbom testdata/layers/sample-layer.zip`, in JSON and in XML, must equal
 * the files under testdata/golden/ byte for byte, so any change to the output shows up in
 * review as a diff of those files. After a deliberate change, rewrite them with
 *
 *   LAMINA_UPDATE_GOLDEN=1 npx vitest run test/e2e/sbom/golden.test.ts
 *
 * and review the diff. Without the variable the files are never written.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateJson, validateXml } from '../../../src/sbom/testing/validate.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const SAMPLE = join(REPO_ROOT, 'testdata/layers/sample-layer.zip');
const GOLDEN = join(REPO_ROOT, 'testdata/golden');
const UPDATE = process.env['LAMINA_UPDATE_GOLDEN'] === '1';

describe.each([
  ['cyclonedx-json', 'sample-layer.cdx.json', validateJson],
  ['cyclonedx-xml', 'sample-layer.cdx.xml', validateXml],
] as const)('golden %s SBOM of the sample layer', (format, file, validate) => {
  it(`equals testdata/golden/${file}`, async () => {
    const r = await runCli(['sbom', SAMPLE, '--format', format, '--quiet']);
    expect(r.code).toBe(0);
    const path = join(GOLDEN, file);
    if (UPDATE) writeFileSync(path, r.stdout);
    const golden = readFileSync(path, 'utf8');
    expect(await validate(golden)).toBeNull();
    // Compared as text, not parsed: key order, whitespace and escaping are output too.
    expect(r.stdout, `lamina sbom output differs from testdata/golden/${file}`).toBe(golden);
  });
});
