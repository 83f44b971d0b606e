/**
 * `-o` in every command: a regular file replaced atomically, `-` and /dev/stdout to stdout,
 * /dev/null and FIFOs written in place (never replaced), symlinks followed, a directory refused;
 * syft-style `-o FORMAT=FILE` writes several formats from one run, each schema-valid.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { POLICY, writePolicy, zipPath } from '../helpers/local-layer.js';
import { validateJson } from '../../../src/sbom/testing/validate.js';
import { spdxRuleViolations, spdxSchemaErrors } from '../../../src/sbom/testing/spdx-rules.js';
import {
  githubSarifViolations,
  sarifSchemaErrors,
} from '../../../src/report/testing/sarif-rules.js';

const dir = mkdtempSync(join(tmpdir(), 'lamina-output-'));

describe('-o FILE', () => {
  it('replaces a regular file atomically and leaves no temporary file', async () => {
    const out = join(dir, 'atomic', 'sbom.json');
    mkdirSync(join(dir, 'atomic'));
    writeFileSync(out, 'old');
    const before = statSync(out).ino;
    const r = await runCli(['sbom', zipPath, '-o', out, '-q']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveProperty('bomFormat', 'CycloneDX');
    // A new file renamed into place: a reader never saw half of it.
    expect(statSync(out).ino).not.toBe(before);
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['sbom.json']);
  });

  it('-o - and -o /dev/stdout write to stdout', async () => {
    for (const o of ['-', '/dev/stdout']) {
      const r = await runCli(['sbom', zipPath, '-o', o]);
      expect(r.code, o).toBe(0);
      expect(JSON.parse(r.stdout), o).toHaveProperty('bomFormat', 'CycloneDX');
    }
  });

  it('-o /dev/null writes into the device and never replaces it', async () => {
    const r = await runCli(['sbom', zipPath, '-o', '/dev/null', '-q']);
    expect(r.code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a FIFO is written in place, for the reader at its other end', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const closed = new Promise((done) => reader.on('close', done));
    const r = await runCli(['version', '-o', `json=${fifo}`]);
    await closed;
    expect(r.code).toBe(0);
    expect(JSON.parse(got)).toHaveProperty('name', 'lamina');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('follows a symlink: the target is replaced, the link stays', async () => {
    const target = join(dir, 'target.json');
    const link = join(dir, 'link.json');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    const r = await runCli(['version', '-o', `json=${link}`]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toHaveProperty('name', 'lamina');
  });

  it('refuses a directory with exit 2 (scan points at --output-dir)', async () => {
    const d = join(dir, 'a-dir');
    mkdirSync(d);
    const r = await runCli(['sbom', zipPath, '-o', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a directory/);
    const s = await runCli(['scan', '--region', 'us-east-1', '-o', d]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`--output-dir ${d}`);
  });

  it('refuses a path whose directory cannot be made with exit 2, and does not hang on /proc', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    const under = await runCli(['sbom', zipPath, '-o', join(dir, 'plain', 'sbom.json')]);
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(/cannot make its directory \(EEXIST: file already exists/);
    // Where Node's own recursive mkdir spins forever.
    const proc = await runCli(['sbom', zipPath, '-o', '/proc/lamina-no-such-dir/sbom.json']);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/cannot make its directory \(ENOENT/);
  });

  it('scan refuses an output, cache or history directory it cannot make with exit 2, before any call', async () => {
    const file = join(dir, 'plain-too');
    writeFileSync(file, 'x');
    const cache = ['--cache-dir', join(dir, 'cache')];
    const out = await runCli([
      'scan',
      '--region',
      'us-east-1',
      '--output-dir',
      join(file, 'out'),
      ...cache,
    ]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(
      /cannot make the output directory .*plain-too\/out\/sboms \(ENOTDIR/
    );
    const hist = await runCli(
      ['scan', '--region', 'us-east-1', '--output-dir', join(dir, 'o')].concat([
        '--history',
        '/proc/lamina-no-such-dir/h.db',
        ...cache,
      ])
    );
    const badCache = await runCli(
      ['scan', '--region', 'us-east-1', '--output-dir', join(dir, 'o')].concat([
        '--cache-dir',
        '/proc/lamina-no-such-dir',
      ])
    );
    expect(badCache.code).toBe(2);
    expect(badCache.stderr).toMatch(
      /cannot make the cache directory \/proc\/lamina-no-such-dir \(ENOENT/
    );
    expect(hist.code).toBe(2);
    expect(hist.stderr).toMatch(/cannot make the directory of history .* \(ENOENT.*\[BAD_PATH\]/);
  });

  it('verify and sbom of AWS inputs refuse a cache directory they cannot make with exit 2, before any call', async () => {
    const policy = join(dir, 'deny.yaml');
    writeFileSync(policy, 'version: 1\ndefault: deny\n');
    // A call would fail otherwise (nothing listens there, no credentials): exit 3, not 2.
    const flags = ['--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'];
    const cache = ['--cache-dir', '/proc/lamina-no-such-dir'];
    const layer = 'arn:aws:lambda:us-east-1:123456789012:layer:utils:1';
    for (const argv of [
      ['verify', '--all', '--policy', policy],
      ['verify', layer, '--policy', policy],
      ['sbom', '--function', 'fn'],
      ['sbom', layer],
    ]) {
      const r = await runCli([...argv, ...flags, ...cache]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(
        /cannot make the cache directory \/proc\/lamina-no-such-dir \(ENOENT/
      );
      // The same without the bad cache directory gets as far as a call.
      const called = await runCli([...argv, ...flags, '--cache-dir', join(dir, 'cache')]);
      expect(called.code, argv.join(' ')).toBe(3);
    }
  });
});

describe('-o FORMAT[=FILE]', () => {
  it('writes CycloneDX and SPDX 2.3 from one run, each valid against its schema', async () => {
    const cdx = join(dir, 'a.cdx.json');
    const spdx = join(dir, 'a.spdx.json');
    const r = await runCli([
      'sbom',
      zipPath,
      '-o',
      `cyclonedx-json=${cdx}`,
      '-o',
      `spdx-json=${spdx}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`wrote ${cdx}, ${spdx}`);
    expect(await validateJson(await readFile(cdx, 'utf8'))).toBeNull();
    const doc = JSON.parse(await readFile(spdx, 'utf8')) as { spdxVersion: string };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    expect(spdxSchemaErrors(doc)).toEqual([]);
    expect(spdxRuleViolations(doc as never)).toEqual([]);
  });

  it('spdx-json alone goes to stdout; --format spdx-json does the same', async () => {
    const a = await runCli(['sbom', zipPath, '-o', 'spdx-json']);
    const b = await runCli(['sbom', zipPath, '--format', 'spdx-json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(spdxSchemaErrors(JSON.parse(a.stdout))).toEqual([]);
  });

  it('refuses two outputs to stdout', async () => {
    const r = await runCli(['sbom', zipPath, '-o', 'spdx-json', '-o', 'cyclonedx-json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/more than one -o writes to stdout/);
  });

  it('verify writes SARIF for code scanning next to the text report', async () => {
    // As in a checkout: the policy inside the working directory, named relative to it.
    const p = writePolicy('deny-output.yaml', POLICY);
    const sarif = join(dir, 'verify.sarif');
    const cwd = process.cwd();
    process.chdir(dirname(p));
    const r = await runCli([
      'verify',
      zipPath,
      '--policy',
      p,
      '--layer-name',
      'utils',
      '-o',
      `sarif=${sarif}`,
      '-o',
      'text',
      '--sarif-category',
      'lamina/prod',
    ]).finally(() => process.chdir(cwd));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL/);
    const log = JSON.parse(await readFile(sarif, 'utf8')) as {
      runs: {
        automationDetails: { id: string };
        results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      }[];
    };
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifViolations(log)).toEqual([]);
    expect(log.runs[0]!.automationDetails.id).toBe('lamina/prod/');
    const uris = log.runs[0]!.results.map(
      (x) => x.locations[0]!.physicalLocation.artifactLocation.uri
    );
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(['deny-output.yaml']));
  });
});

describe('lamina version', () => {
  it('prints the version; -o json adds trust roots and format versions', async () => {
    const text = await runCli(['version']);
    expect(text.stdout).toMatch(/^lamina \d+\.\d+\.\d+\n$/);
    expect((await runCli(['--version'])).stdout).toBe(text.stdout);
    const json = JSON.parse((await runCli(['version', '-o', 'json'])).stdout) as {
      trustRoots: { name: string; sha256: string }[];
      formats: { cyclonedx: string[]; spdx: string[]; sarif: string };
    };
    expect(json.trustRoots.map((t) => t.name)).toContain('public-good');
    expect(json.trustRoots[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.formats).toEqual({ cyclonedx: ['1.6', '1.5'], spdx: ['SPDX-2.3'], sarif: '2.1.0' });
  });
});
