/**
 * An SBOM's bytes do not depend on the machine's locale. The CycloneDX library sorts the lists
 * it writes with `localeCompare` in the process's default locale, which ICU reads from LC_ALL and
 * LANG (no system locale needs to be installed for it): under lt_LT "yy" sorts before "jj", under
 * da_DK "aa" after "z". Run as users run it, one process per locale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import { BUILT_CLI, REPO_ROOT } from '../helpers/cli.js';

/** npm packages whose order differs between the locales below. */
const NAMES = ['aa-lib', 'b-lib', 'jj', 'yy', 'zz'];

function layer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-locale-'));
  const zip = join(dir, 'layer.zip');
  writeFileSync(
    zip,
    writeZip(
      NAMES.map((name) => ({
        name: `nodejs/node_modules/${name}/package.json`,
        data: JSON.stringify({ name, version: '1.0.0', license: 'MIT' }),
      }))
    )
  );
  return zip;
}

function sbomIn(locale: string, zip: string, format: string): string {
  const r = spawnSync(process.execPath, [BUILT_CLI, 'sbom', zip, '--format', format, '--quiet'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: locale, LANG: locale },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('lamina sbom under other locales', () => {
  const zip = layer();

  it.each(['cyclonedx-json', 'cyclonedx-xml'])('%s is byte-identical', (format) => {
    const c = sbomIn('C', zip, format);
    // The fixture tells the locales apart: in C (en) order, aa-lib comes first and jj before yy.
    const at = (name: string) => c.indexOf(`pkg:npm/${name}@1.0.0`);
    expect(at('aa-lib')).toBeGreaterThan(-1);
    expect(at('aa-lib')).toBeLessThan(at('b-lib'));
    expect(at('jj')).toBeLessThan(at('yy'));
    for (const locale of ['lt_LT.UTF-8', 'da_DK.UTF-8', 'sv_SE.UTF-8'])
      expect(sbomIn(locale, zip, format), `${format} under ${locale}`).toBe(c);
  });
});
