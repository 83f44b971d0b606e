import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { validateJson } from '../../../src/sbom/testing/validate.js';

describe('npm run demo (scripts/demo.mjs)', () => {
  it('runs the sample scan, merged view and verify end to end and exits 0 when it finds what the estate seeds', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lamina-demo-'));
    try {
      // Builds first when dist is older than the sources.
      const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/demo.mjs'), '--out', out], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 280_000,
      });
      expect(r.stderr).not.toContain('PROBLEM');
      expect(r.status).toBe(0);
      // 1. The single-layer job.
      expect(r.stdout).toMatch(/sample-layer\.zip: 88 packages \(cargo 2, gem 6/);
      expect(
        await validateJson(await readFile(join(out, 'sample-layer.cdx.json'), 'utf8'))
      ).toBeNull();
      // 2. The scan: two regions, the deleted version, the same version with other bytes per region.
      expect(r.stdout).toContain('Scanned 1 account (123456789012) in 2 regions');
      expect(r.stdout).toContain('this is one of the seeded problems');
      expect(r.stdout).toMatch(
        /! v1 differs across regions: eu-west-1 sha256:[0-9a-f]{12}, us-east-1 sha256:[0-9a-f]{12}/
      );
      const scan = JSON.parse(await readFile(join(out, 'scan.json'), 'utf8')) as {
        drift: { digestMismatches: { name: string; version: number }[] };
      };
      expect(scan.drift.digestMismatches.map((m) => `${m.name}:${m.version}`)).toEqual([
        'node-common:1',
      ]);
      expect((await readdir(join(out, 'sboms'))).length).toBeGreaterThanOrEqual(8);
      // Image functions: read from ECR and the registry, each caught or inventoried.
      expect(r.stdout).toMatch(/caught +thumbnailer +tag-moved/);
      expect(r.stdout).toMatch(/inventoried +pdf-render +\d+ packages, amd64/);
      expect(r.stdout).toMatch(/inventoried +resizer +\d+ packages, arm64/);
      expect(r.stdout).toMatch(
        /caught +thumbnailer +signer:image-signer failed: its Notation signing job was revoked/
      );
      expect(r.stdout).toContain(
        '3 image functions scanned and verified: 2 of 2 seeded image problems caught, 2 of 2 images inventoried.'
      );
      expect(r.stdout).toContain('20 functions and 3 function images verified');
      const images = (
        JSON.parse(await readFile(join(out, 'scan.json'), 'utf8')) as {
          images: { name: string; images: { sbom: string | null; usedBy: string[] }[] }[];
        }
      ).images;
      const al2023 = images
        .find((i) => i.name === 'thumbnailer')
        ?.images.find((i) => i.usedBy.some((a) => a.includes(':function:pdf-render:')));
      const imageSbom = await readFile(join(out, al2023?.sbom ?? 'missing'), 'utf8');
      expect(await validateJson(imageSbom)).toBeNull();
      expect(imageSbom).toContain('pkg:rpm/amzn/');
      // 3. The merged view: node-hotfix (attached last) hides node-common's axios.
      expect(r.stdout).toMatch(
        /merged view of orders-worker: \d+ packages across 3 layers, 1 shadowed/
      );
      expect(r.stdout).toContain(
        'axios@1.7.7 of node-common:2 (us-east-1) is hidden in /opt by node-hotfix:1'
      );
      const merged = await readFile(join(out, 'orders-worker.cdx.json'), 'utf8');
      expect(await validateJson(merged)).toBeNull();
      const comps = (
        JSON.parse(merged) as {
          components: {
            name: string;
            version?: string;
            properties?: { name: string; value: string }[];
          }[];
        }
      ).components;
      const shadowedBy = (c: (typeof comps)[number]) =>
        c.properties?.find((p) => p.name === 'lamina:shadowed-by')?.value;
      expect(
        comps
          .filter((c) => shadowedBy(c) !== undefined)
          .map((c) => [c.name, c.version, shadowedBy(c)])
      ).toEqual([['axios', '1.7.7', 'arn:aws:lambda:us-east-1:123456789012:layer:node-hotfix:1']]);
      expect(comps.some((c) => c.name === 'axios' && c.version === '1.8.2' && !shadowedBy(c))).toBe(
        true
      );
      // 4 and 5. Verify: every expectation met, none missed; the full text report on disk.
      expect(r.stdout).toContain('verify exited 1 (1: policy violation)');
      expect(r.stdout).toMatch(/caught +node-common:4 \(us-east-1\) +signer:platform-signer fail/);
      expect(r.stdout).toMatch(/passed +python-common:1 \(us-east-1\) +signer:retired-signer pass/);
      expect(r.stdout).not.toContain('MISSED');
      expect(r.stdout).toContain(
        '14 of 14 expected failures caught, 3 of 3 warnings given, 12 of 12 good layers and functions passed'
      );
      const text = await readFile(join(out, 'verify.txt'), 'utf8');
      expect(text).toMatch(
        /^FAIL layer arn:aws:lambda:us-east-1:123456789012:layer:node-common:5\n {5}rule: /m
      );
      expect(text).toContain('FAIL signer:platform-signer: Signing job status is Failed');
      // 6 and 7. Reports, history, and the second scan's changes.
      expect(await readFile(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
      expect(await readFile(join(out, 'report.md'), 'utf8')).toMatch(/^## lamina scan/);
      expect(await readFile(join(out, 'later', 'report.html'), 'utf8')).toContain(
        'Changes since scan 1'
      );
      // From the history: the second scan with its verdicts and the changes.
      const report = await readFile(join(out, 'changes.html'), 'utf8');
      expect(report).toContain('id="verdicts-h"');
      expect(report).toContain('Changes since scan 1');
      expect(r.stdout).toMatch(/changes exited 1 /);
      expect(r.stdout).toMatch(/caught +digest-changed +node-hotfix:1 \(us-east-1\)/);
      expect(r.stdout).toMatch(/caught +signing-revoked +/);
      expect(r.stdout).toMatch(/caught +function-environment +orders-worker \(us-east-1\)/);
      expect(r.stdout).toMatch(/caught +function-handler +sso-callback \(us-east-1\)/);
      expect(r.stdout).toContain(
        "6 of 6 changes caught; node-hotfix:1's new bytes: axios 1.8.2 -> 0.21.1 (downgrade)"
      );
      expect(r.stdout).toContain(
        'every seeded problem was caught, every good layer passed and every change was reported'
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 300_000);
});
