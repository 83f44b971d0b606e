import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeScans } from '../../../src/pipeline/merge-scans.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { LAMINA_VERSION } from '../../../src/version.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

const VENDOR = '222222222222';
const ROLE = `arn:aws:iam::${VENDOR}:role/Audit`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every file of an output directory (scan.json and sboms/*), by relative path. */
async function files(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  out.set('scan.json', await readFile(join(dir, 'scan.json')));
  for (const f of (await readdir(join(dir, 'sboms'))).sort())
    out.set(`sboms/${f}`, await readFile(join(dir, 'sboms', f)));
  return out;
}

describe('lamina scan --shard and lamina merge', () => {
  it('sharded scans merged equal one unsharded scan, byte for byte', async () => {
    h = await startHarness(SCAN_ESTATE);
    const scan = (name: string, extra: string[]) =>
      runCli([
        'scan',
        '--endpoint-url',
        h!.endpoint.url,
        '--region',
        'us-east-1',
        '--region',
        'eu-west-1',
        '--role-arn',
        ROLE,
        '--page-size',
        '2',
        '--quiet',
        // Each shard on its own machine: its own cache.
        '--cache-dir',
        join(h!.dir, `cache-${name}`),
        '--out',
        join(h!.dir, name),
        ...extra,
      ]);
    const whole = await scan('whole', []);
    expect(whole.code).toBe(3);
    const shards = ['1/3', '2/3', '3/3'];
    for (const s of shards)
      expect((await scan(`shard${s[0]}`, ['--shard', s])).code).toBeLessThan(4);

    // The vendor's private vendor:2 is used by a home function (shard 1) but only readable by
    // its owner (shard 3): shard 1 records a failure the merge must drop, as one scan would.
    const shard1 = JSON.parse(
      await readFile(join(h.dir, 'shard1', 'scan.json'), 'utf8')
    ) as ScanResult;
    expect(shard1.failures.map((f) => f.subject)).toContain(
      `arn:aws:lambda:us-east-1:${VENDOR}:layer:vendor:2`
    );
    expect(shard1.scope.accounts).toEqual(['111111111111', VENDOR]);
    // How the pairs were numbered, for the merge to check the shards against each other.
    expect(shard1.shard).toEqual({
      index: 1,
      count: 3,
      accounts: ['111111111111', VENDOR],
      regions: ['us-east-1', 'eu-west-1'],
    });

    // Shard 1 with its layer versions taken out: its functions attach layers no shard lists.
    await mkdir(join(h.dir, 'edited'));
    execFileSync('cp', ['-r', join(h.dir, 'shard1', 'sboms'), join(h.dir, 'edited')]);
    await writeFile(join(h.dir, 'edited', 'scan.json'), JSON.stringify({ ...shard1, layers: [] }));

    // Two shards of three, the unsharded scan among them, or a shard that does not hold
    // together: refused, nothing written.
    for (const [dirs, message] of [
      [['edited', 'shard2', 'shard3'], 'shard 1/3 does not hold together: arn:aws:lambda:'],
      [['shard1', 'shard3'], 'shard 2/3 missing'],
      [['shard1', 'shard2', 'whole'], "not the output of 'lamina scan --shard I/N'"],
      [['shard1', 'shard2', 'shard2', 'shard3'], 'shard 2/3 is given twice'],
    ] as const) {
      const partial = await runCli([
        'merge',
        '--out',
        join(h.dir, 'partial'),
        ...dirs.map((d) => join(h!.dir, d)),
      ]);
      expect(partial.code, dirs.join(' ')).toBe(2);
      expect(partial.stderr).toContain(message);
      expect(partial.stdout).toBe('');
      await expect(readdir(join(h.dir, 'partial'))).rejects.toThrow();
    }

    const merged = await runCli([
      'merge',
      '--out',
      join(h.dir, 'merged'),
      '--format',
      'json',
      ...shards.map((s) => join(h!.dir, `shard${s[0]}`)),
    ]);
    expect(merged.code).toBe(whole.code);
    const want = await files(join(h.dir, 'whole'));
    const got = await files(join(h.dir, 'merged'));
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [path, bytes] of want) expect(got.get(path)?.equals(bytes), path).toBe(true);
    expect(merged.stdout).toBe(want.get('scan.json')!.toString('utf8'));
    // In any order (a shell's glob sorts shard 10 before shard 2).
    const reordered = await runCli([
      'merge',
      '--out',
      join(h.dir, 'reordered'),
      ...['3', '1', '2'].map((i) => join(h!.dir, `shard${i}`)),
    ]);
    expect(reordered.code).toBe(whole.code);
    const again = await files(join(h.dir, 'reordered'));
    expect([...again.keys()]).toEqual([...want.keys()]);
    for (const [path, bytes] of want) expect(again.get(path)?.equals(bytes), path).toBe(true);
    // The merge carries each zip function's Handler, as the unsharded scan records it.
    const unsharded = JSON.parse(want.get('scan.json')!.toString('utf8')) as ScanResult;
    expect(unsharded.functions.map((f) => [f.packageType, f.handler])).toContainEqual([
      'Zip',
      'index.handler',
    ]);
    expect(unsharded.functions.filter((f) => f.handler === undefined)).toEqual([]);
  });

  it('reports a layer version no account may read with the reason one scan gives, whichever shard merged first', async () => {
    // A third account's layer version, shared with nobody, used in both scanned accounts: each
    // shard is refused under its own caller's name; one scan asks the home account, then the
    // vendor's (the pairs' order), and reports the vendor's refusal.
    const THIRD = 'arn:aws:lambda:us-east-1:333333333333:layer:third:1';
    const estate = `${SCAN_ESTATE.replace(
      `          - name: f03
            layers: [shared:3]
`,
      `          - name: f03
            layers: [shared:3]
          - name: home-third
            layers: ['${THIRD}']
`
    )}        functions:
          - name: vendor-third
            layers: ['${THIRD}']
  '333333333333':
    accessKeys:
      - { accessKeyId: AKIASCANTHIRD0000001, secretAccessKey: third-secret }
    regions:
      us-east-1:
        layers:
          - name: third
            versions:
              - generate: { files: { nodejs/node_modules/third/package.json: '{"name":"third","version":"1.0.0"}' } }
`;
    expect(estate).toContain('home-third');
    h = await startHarness(estate);
    const dirs: string[] = [];
    await h.scan({ roleArns: [ROLE], outDir: join(h.dir, 'whole') });
    // Pairs: home us-east-1, home eu-west-1, vendor us-east-1, vendor eu-west-1; shard 1 of 3
    // has the home function, shard 3 the vendor's.
    for (const index of [1, 2, 3]) {
      await h.scan({
        roleArns: [ROLE],
        outDir: join(h.dir, `s${index}`),
        shard: { index, count: 3 },
      });
      dirs.push(join(h.dir, `s${index}`));
    }
    const reason = (dir: string): string | undefined =>
      (JSON.parse(readFileSync(join(dir, 'scan.json'), 'utf8')) as ScanResult).failures.find(
        (f) => f.subject === THIRD
      )?.reason;
    expect(reason(join(h.dir, 'whole'))).toContain(`:${VENDOR}:`);
    expect(reason(dirs[0]!)).toContain(':111111111111:');
    const want = await files(join(h.dir, 'whole'));
    for (const order of [dirs, [...dirs].reverse()]) {
      await rm(join(h.dir, 'merged'), { recursive: true, force: true });
      await mergeScans({ shardDirs: order, outDir: join(h.dir, 'merged') });
      const got = await files(join(h.dir, 'merged'));
      expect([...got.keys()]).toEqual([...want.keys()]);
      for (const [path, bytes] of want) expect(got.get(path)?.equals(bytes), path).toBe(true);
    }
  });

  it('refuses a bad --shard, a directory without a scan, and a forged SBOM path (exit 2)', async () => {
    h = await startHarness(SCAN_ESTATE);
    for (const bad of ['0/2', '3/2', '1', 'a/b']) {
      const c = await runCli(['scan', '--region', 'us-east-1', '--shard', bad]);
      expect(c.code, bad).toBe(2);
      expect(c.stderr).toContain('--shard');
    }
    const empty = join(h.dir, 'empty');
    await mkdir(empty);
    const none = await runCli(['merge', '--out', join(h.dir, 'm'), empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no readable scan.json');
    expect((await runCli(['merge'])).code).toBe(2);
    // A FIFO is not waited on (a separate process: a hang is killed and fails the test).
    const fifo = join(h.dir, 'fifo');
    await mkdir(fifo);
    execFileSync('mkfifo', [join(fifo, 'scan.json')]);
    const piped = spawnCli(['merge', '--out', join(h.dir, 'm'), fifo], { timeoutMs: 60_000 });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('no readable scan.json');

    const forged = join(h.dir, 'forged');
    await mkdir(forged);
    const result = {
      schemaVersion: 1,
      tool: { name: 'lamina', version: LAMINA_VERSION },
      scope: { accounts: [], regions: ['us-east-1'] },
      shard: { index: 1, count: 1, accounts: [], regions: ['us-east-1'] },
      functions: [],
      layers: [
        {
          name: 'x',
          owner: '111111111111',
          regions: ['us-east-1'],
          versions: [
            {
              arn: 'arn:aws:lambda:us-east-1:111111111111:layer:x:1',
              region: 'us-east-1',
              version: 1,
              listed: true,
              digest: null,
              codeSha256: null,
              size: null,
              signingProfileVersionArn: null,
              signingJobArn: null,
              status: 'inventoried',
              failure: null,
              sbom: '../../etc/passwd',
              packageCount: 0,
              inventoryComplete: true,
              usedBy: [],
            },
          ],
        },
      ],
      failures: [],
      drift: { layers: [], digestMismatches: [] },
    };
    await writeFile(join(forged, 'scan.json'), JSON.stringify(result));
    const c = await runCli(['merge', '--out', join(h.dir, 'm2'), forged]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('not an SBOM path of a scan');

    // An SBOM path of a scan, but a link in the shard: its target would be copied out as an SBOM.
    const linked = join(h.dir, 'linked');
    const secret = join(h.dir, 'secret.txt');
    await writeFile(secret, 'aws_secret_access_key = not-an-sbom\n');
    await mkdir(join(linked, 'sboms'), { recursive: true });
    const sbomPath = `sboms/${'ab'.repeat(32)}.cdx.json`;
    await symlink(secret, join(linked, sbomPath));
    await writeFile(
      join(linked, 'scan.json'),
      JSON.stringify(result).replace('"../../etc/passwd"', JSON.stringify(sbomPath))
    );
    const l = await runCli(['merge', '--out', join(h.dir, 'm4'), linked]);
    expect(l.code).toBe(2);
    expect(l.stderr).toContain('a link or not a regular file');
    await expect(readdir(join(h.dir, 'm4', 'sboms'))).rejects.toThrow();

    // A hard link is a regular file too, but another name of a file elsewhere: refused alike.
    await rm(join(linked, sbomPath));
    await link(secret, join(linked, sbomPath));
    const hard = await runCli(['merge', '--out', join(h.dir, 'm6'), linked]);
    expect(hard.code).toBe(2);
    expect(hard.stderr).toContain('a link or not a regular file');
    await expect(readdir(join(h.dir, 'm6'))).rejects.toThrow();

    // A good SBOM sorted before the link: refused before either is copied, nothing written.
    const first = `sboms/${'00'.repeat(32)}.cdx.json`;
    await writeFile(join(linked, first), '{"bomFormat":"CycloneDX","specVersion":"1.6"}\n');
    const doc = JSON.parse(await readFile(join(linked, 'scan.json'), 'utf8')) as ScanResult;
    const layer = doc.layers[0]!;
    layer.versions.unshift({
      ...layer.versions[0]!,
      arn: 'arn:aws:lambda:us-east-1:111111111111:layer:x:0',
      version: 0,
      sbom: first,
    });
    await writeFile(join(linked, 'scan.json'), JSON.stringify(doc));
    const both = await runCli(['merge', '--out', join(h.dir, 'm5'), linked]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('a link or not a regular file');
    await expect(readdir(join(h.dir, 'm5'))).rejects.toThrow();

    // A shard another lamina wrote: its drift would be this lamina's under that one's version.
    const other = join(h.dir, 'other');
    await mkdir(other);
    await writeFile(
      join(other, 'scan.json'),
      JSON.stringify({ ...result, layers: [], tool: { name: 'lamina', version: '0.0.1' } })
    );
    const o = await runCli(['merge', '--out', join(h.dir, 'm3'), other]);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain(`written by lamina 0.0.1; merge it with that version`);
    await expect(readdir(join(h.dir, 'm3'))).rejects.toThrow();

    // A shard with no drift at all, and one whose skipped drift is not JSON: refused alike,
    // though the merge reads neither (it works the drift out again).
    for (const [name, text] of [
      ['nodrift', JSON.stringify({ ...result, layers: [], drift: undefined })],
      [
        'baddrift',
        JSON.stringify({ ...result, layers: [] }).replace(
          '"digestMismatches":[]}',
          '"digestMismatches":[x]}'
        ),
      ],
    ] as const) {
      const d = join(h.dir, name);
      await mkdir(d);
      await writeFile(join(d, 'scan.json'), text);
      const r = await runCli(['merge', '--out', join(h.dir, `m-${name}`), d]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(/not a lamina scan result|no readable scan\.json/);
    }

    // A shard edited by hand: exit 2 naming the field that does not fit, never an internal
    // error from deep inside the merge (the old build's TypeError, exit 3).
    const edited = join(h.dir, 'edited');
    await mkdir(edited);
    const version = { ...result.layers[0]!.versions[0]!, sbom: null, usedBy: [7] };
    await writeFile(
      join(edited, 'scan.json'),
      JSON.stringify({ ...result, layers: [{ ...result.layers[0]!, versions: [version] }] })
    );
    const e = await runCli(['merge', '--out', join(h.dir, 'm-edited'), edited]);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain(
      'not a lamina scan result (scan.layers[0].versions[0].usedBy[0] is a number, not a string)'
    );
    await expect(readdir(join(h.dir, 'm-edited'))).rejects.toThrow();
  });
});
