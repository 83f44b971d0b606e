import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  renderVersionJson,
  renderVersionText,
  SHIPPED_TRUST_ROOTS,
  versionInfo,
} from './version.js';

const ROOT = join(import.meta.dirname, '../..');

describe('versionInfo', () => {
  it('lists every trust root shipped in policies/trust with the sha256 of its bytes', () => {
    const files = readdirSync(join(ROOT, 'policies', 'trust')).filter((f) => f.endsWith('.json'));
    expect(SHIPPED_TRUST_ROOTS.map((r) => r.path).sort()).toEqual(
      files.map((f) => `policies/trust/${f}`).sort()
    );
    for (const r of versionInfo().trustRoots) {
      const digest = createHash('sha256')
        .update(readFileSync(join(ROOT, r.path)))
        .digest('hex');
      expect(r.sha256).toBe(digest);
    }
  });

  it("reports package.json's version and the formats written", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const info = versionInfo();
    expect(info).toMatchObject({
      name: 'lamina',
      version: pkg.version,
      formats: { cyclonedx: ['1.6', '1.5'], spdx: ['SPDX-2.3'], sarif: '2.1.0' },
    });
    expect(renderVersionText(info)).toBe(`lamina ${pkg.version}\n`);
    expect(JSON.parse(renderVersionJson(info))).toEqual(info);
  });

  it('returns a fresh copy: callers cannot change the shipped list', () => {
    versionInfo().trustRoots[0]!.sha256 = 'x';
    expect(versionInfo().trustRoots[0]!.sha256).not.toBe('x');
  });
});
