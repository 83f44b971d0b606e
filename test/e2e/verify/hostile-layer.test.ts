/**
 * A layer that hides a denied package from the inventory must not pass `verify`: either the
 * package is seen (and denied) or the inventory is incomplete (and inventory:complete fails).
 * Fixtures: scripts/fixtures-hidden-package.mjs (real ms@2.0.0, hidden the way an attacker would,
 * and beside code Lambda starts by path).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInventory } from '../../../src/inventory/index.js';
import { openLayerPath } from '../../../src/unpack/open.js';
import { DEFAULT_LIMITS } from '../../../src/unpack/source.js';
import { loadPolicy } from '../../../src/verify/policy/load.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { verifyLayer } from '../../../src/verify/verifier.js';
import { runCli } from '../helpers/cli.js';

const HOSTILE = 'testdata/hostile';
const sha = (f: string) =>
  createHash('sha256')
    .update(readFileSync(`${HOSTILE}/${f}`))
    .digest('hex');
const ZIPS = [
  'plain.zip',
  'bom-package-json.zip',
  'no-package-json.zip',
  'bare-module-file.zip',
  'dot-module-file.zip',
  'renamed-package.zip',
  'upper-case-jar.zip',
  'main-outside.zip',
  'main-given-twice.zip',
  'main-past-a-fault.zip',
  'link-outside.zip',
  'exploded-jar.zip',
];

/**
 * A policy whose one rule (`shared-utils`) pins every zip of `zips`, so the digest check passes
 * and only the contents can fail the verdict; `rest` is the rule's other lines.
 */
const pinning = (zips: readonly string[], rest = '') => `version: 1
default: deny
layers:
  - match: { name: shared-utils }
    pins:
${zips.map((z) => `      - { sha256: '${sha(z)}', note: ${z} }`).join('\n')}
${rest}`;

/** Every zip of `zips` pinned, and `ms` denied in `versions`. */
const pinnedPolicy = (zips: readonly string[], versions: string) =>
  pinning(
    zips,
    `    packages:
      deny:
        - { purl: 'pkg:npm/ms', versions: '${versions}', reason: 'ReDoS' }
        - { purl: 'pkg:maven/commons-cli/commons-cli', versions: '<1.6.0', reason: 'test' }
`
  );
const POLICY = pinnedPolicy(ZIPS, '<2.1.1');

/** `lamina COMMAND testdata/hostile/ZIP --policy POLICY --layer-name shared-utils ...`. */
const lamina = (command: 'verify' | 'gate', zip: string, policy: string, ...more: string[]) =>
  runCli([
    command,
    `${HOSTILE}/${zip}`,
    '--policy',
    policy,
    '--layer-name',
    'shared-utils',
    ...more,
  ]);

/**
 * What `node -e js` prints with the unzipped layer's `nodejs/node_modules` on NODE_PATH (`node`
 * from PATH unless another binary is given).
 */
function nodeOn(zip: string, js: string, node = 'node'): string {
  const opt = mkdtempSync(join(tmpdir(), 'lamina-hostile-opt-'));
  expect(spawnSync('unzip', ['-q', `${HOSTILE}/${zip}`, '-d', opt]).status).toBe(0);
  const env = { ...process.env, NODE_PATH: join(opt, 'nodejs/node_modules') };
  return spawnSync(node, ['-e', js], { cwd: tmpdir(), env, encoding: 'utf8' }).stdout;
}

/** The major version of the Node running this suite (20 or 24 in CI). */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

const outcomes = (v: Verdict) => Object.fromEntries(v.checks.map((c) => [c.id, c.outcome]));

describe('a denied package hidden from the inventory (verifier level)', () => {
  const loaded = loadPolicy(POLICY, 'inline.yaml');
  async function verdict(zip: string): Promise<Verdict> {
    const { source, artifact } = await openLayerPath(`${HOSTILE}/${zip}`, { ...DEFAULT_LIMITS });
    try {
      const inventory = await buildInventory(source, artifact);
      return verifyLayer(
        { name: zip, layerName: 'shared-utils', sha256: artifact.sha256, bundles: [], inventory },
        loaded,
        { now: new Date() }
      );
    } finally {
      await source.close();
    }
  }

  it('the control: a visible ms@2.0.0 is denied', async () => {
    const v = await verdict('plain.zip');
    expect(v.ok).toBe(false);
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'fail', 'inventory:complete': 'pass' });
  });

  it("ms@2.0.0 behind a BOM'd package.json: the verdict fails, never passes unseen", async () => {
    const v = await verdict('bom-package-json.zip');
    expect(v.ok).toBe(false);
    const o = outcomes(v);
    expect(o['digest']).toBe('pass');
    // Seen and denied (a lenient parser), or unseen and the inventory is incomplete.
    expect(o['packages'] === 'fail' || o['inventory:complete'] === 'fail').toBe(true);
    if (o['inventory:complete'] === 'fail') {
      const c = v.checks.find((x) => x.id === 'inventory:complete')!;
      expect(c.detail).toContain('nodejs/node_modules/ms/package.json');
    }
  });

  // Node loads both with no package.json: the module is recorded by its name, with no version
  // (so the deny rule matches), and as metadata the inventory could not read.
  it.each([
    ['no-package-json.zip', 'nodejs/node_modules/ms/license.md'],
    ['bare-module-file.zip', 'nodejs/node_modules/ms.js'],
  ])('%s: ms with no package.json is denied and the inventory incomplete', async (zip, path) => {
    const v = await verdict(zip);
    expect(v.ok).toBe(false);
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'fail', 'inventory:complete': 'fail' });
    const c = v.checks.find((x) => x.id === 'inventory:complete')!;
    expect(c.detail).toContain(`METADATA_INCOMPLETE ${path}`);
    expect(v.checks.find((x) => x.id === 'packages')!.detail).toContain('pkg:npm/ms');
  });

  it("a module named '.ms', which require('.ms') loads: recorded, the inventory incomplete", async () => {
    // Node takes '.ms' as a module name (it is not './ms'), searched on Lambda's NODE_PATH.
    expect(nodeOn('dot-module-file.zip', "console.log(require('.ms')('%s ran', 'it'))")).toBe(
      'it ran\n'
    );
    const v = await verdict('dot-module-file.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toContain(
      'METADATA_INCOMPLETE nodejs/node_modules/.ms.js'
    );
  });

  it('ms@2.0.0 whose package.json calls it ms-compat: denied by the name require finds it by', async () => {
    const v = await verdict('renamed-package.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'fail', 'inventory:complete': 'pass' });
    expect(v.checks.find((x) => x.id === 'packages')!.detail).toContain(
      'pkg:npm/ms@2.0.0 (installed under that name; its package.json says pkg:npm/ms-compat@2.0.0)'
    );
  });

  it('ms loaded through a package.json main outside its package: the inventory is incomplete', async () => {
    const v = await verdict('main-outside.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toContain(
      'PATH_TRAVERSAL nodejs/node_modules/shim/package.json'
    );
  });

  it('ms loaded through a main given twice, on Node 22 and later only: the inventory is incomplete', async () => {
    // The Node running this suite (20 or 24 in CI): Node 20 takes the last main (0, no main).
    expect(
      nodeOn(
        'main-given-twice.zip',
        "console.log(require('shim')('%s ran', 'ms'))",
        process.execPath
      )
    ).toBe(NODE_MAJOR >= 22 ? 'ms ran\n' : 'shim ran\n');
    const v = await verdict('main-given-twice.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toContain(
      'AMBIGUOUS_METADATA nodejs/node_modules/shim/package.json'
    );
  });

  it('ms loaded through a main Node 22 and later read past a fault elsewhere: the inventory is incomplete', async () => {
    const js =
      "try { console.log(require('shim')('%s ran', 'ms')) } catch (e) { console.log(e.name) }";
    // Node 20 parses the whole file with JSON.parse and refuses it.
    expect(nodeOn('main-past-a-fault.zip', js, process.execPath)).toBe(
      NODE_MAJOR >= 22 ? 'ms ran\n' : 'SyntaxError\n'
    );
    const v = await verdict('main-past-a-fault.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toContain(
      'PARSE_ERROR nodejs/node_modules/shim/package.json'
    );
  });

  it('ms loaded through a link inside another package: the inventory is incomplete', async () => {
    expect(nodeOn('link-outside.zip', "console.log(require('shim')('%s ran', 'ms'))")).toBe(
      'ms ran\n'
    );
    const v = await verdict('link-outside.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toContain(
      'PATH_TRAVERSAL nodejs/node_modules/shim/lib'
    );
  });

  it('a jar exploded into a java/lib/*.jar directory: the inventory is incomplete', async () => {
    const v = await verdict('exploded-jar.zip');
    expect(v.ok).toBe(false);
    expect(outcomes(v)['inventory:complete']).toBe('fail');
    expect(v.checks.find((x) => x.id === 'inventory:complete')!.detail).toMatch(
      /SPECIAL_FILE java\/lib\/commons-cli-1\.5\.0\.jar\//
    );
  });

  // The JVM's class path wildcard /opt/java/lib/* loads a `.JAR` as it loads a `.jar`.
  it('a denied jar named .JAR is seen and denied', async () => {
    const v = await verdict('upper-case-jar.zip');
    expect(outcomes(v)).toEqual({ digest: 'pass', packages: 'fail', 'inventory:complete': 'pass' });
    expect(v.checks.find((x) => x.id === 'packages')!.detail).toContain(
      'pkg:maven/commons-cli/commons-cli@1.5.0'
    );
  });
});

describe('lamina verify LAYER.zip on the hostile layers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-hostile-'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, POLICY);

  it.each(ZIPS)('%s: exit 1, and the report says why', async (zip) => {
    const r = await lamina('verify', zip, policy, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; verdicts: Verdict[] };
    expect(out.ok).toBe(false);
    const failed = out.verdicts[0]!.checks.filter((c) => c.outcome === 'fail').map((c) => c.id);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((id) => id === 'packages' || id === 'inventory:complete')).toBe(true);
  });

  it('under a warn rule the incomplete inventory is reported once, escaped', async () => {
    const warnPolicy = join(dir, 'warn.yaml');
    writeFileSync(warnPolicy, POLICY.replace('    pins:', '    mode: warn\n    pins:'));
    const r = await lamina('verify', 'bom-package-json.zip', warnPolicy);
    expect(r.code).toBe(0);
    // The text report on stdout carries the warning; stderr does not repeat it.
    expect(r.stdout).toMatch(/WARN (inventory:complete|packages):/);
    expect(r.stderr).not.toMatch(/inventory:complete/);
    // The BOM in the parser's message is shown as an escape, not printed raw.
    expect(r.stderr).not.toContain('\ufeff');
    expect(r.stdout).not.toContain('\ufeff');
  });
});

/**
 * Code Lambda starts by path must be in the inventory: a layer whose `bootstrap` (the custom
 * runtime Lambda starts from /opt), exec wrapper (the file AWS_LAMBDA_EXEC_WRAPPER names), bin/
 * executable or site directory `.pth` file (the Python runtime runs its `import` lines) no
 * package owns fails inventory:complete, whatever its package rules say.
 */
const ENTRYPOINT_ZIPS = [
  'plain.zip',
  'bootstrap.zip',
  'bootstrap-atari.zip',
  'exec-wrapper.zip',
  'pth-import.zip',
];

describe('lamina verify LAYER.zip with code Lambda starts by path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-entrypoints-'));
  const policy = join(dir, 'policy.yaml');
  // ms@2.0.0 is allowed: only what runs unseen can fail the verdict.
  writeFileSync(policy, pinnedPolicy(ENTRYPOINT_ZIPS, '<2.0.0'));
  const verify = async (zip: string) => {
    const r = await lamina('verify', zip, policy, '--format', 'json');
    const out = JSON.parse(r.stdout) as { ok: boolean; verdicts: Verdict[] };
    const checks = out.verdicts[0]!.checks;
    return {
      code: r.code,
      outcomes: Object.fromEntries(checks.map((c) => [c.id, c.outcome])),
      detail: checks.find((c) => c.id === 'inventory:complete')?.detail ?? '',
    };
  };

  it('the control: the same package alone passes', async () => {
    const v = await verify('plain.zip');
    expect(v.code).toBe(0);
    expect(v.outcomes).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'pass' });
  });

  it.each([
    ['bootstrap.zip', ['bootstrap']],
    ['bootstrap-atari.zip', ['bootstrap']],
    ['exec-wrapper.zip', ['bin/ms-helper', 'wrapper']],
    ['pth-import.zip', ['python/lib/python3.12/site-packages/zz-hook.pth']],
  ])('%s: exit 1, inventory:complete names %j', async (zip, paths) => {
    const v = await verify(zip);
    expect(v.code).toBe(1);
    expect(v.outcomes).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'fail' });
    for (const p of paths) expect(v.detail).toContain(`UNOWNED_EXECUTABLE ${p}`);
  });

  it('unzip extracts the bootstrap an Atari host marked 0755 as an executable', () => {
    const out = mkdtempSync(join(dir, 'atari-'));
    expect(spawnSync('unzip', ['-q', `${HOSTILE}/bootstrap-atari.zip`, '-d', out]).status).toBe(0);
    expect(statSync(join(out, 'bootstrap')).mode & 0o111).not.toBe(0);
  });

  it('lamina gate refuses to pin a layer with an unowned bootstrap', async () => {
    const r = await lamina('gate', 'bootstrap.zip', policy);
    expect(r.code).toBe(1);
    // The report goes to stderr; stdout would carry the pin entry, and there is none.
    expect(r.stderr).toMatch(/FAIL inventory:complete: [^]*UNOWNED_EXECUTABLE bootstrap\./);
    expect(r.stdout).not.toContain('sha256');
  });
});

/**
 * Python imports a module from a Lambda site directory, and Ruby requires a library from
 * RUBYLIB, whatever metadata says: one no installed distribution or gem specification claims is
 * recorded by its import name with no version (so a deny rule naming it matches) and leaves the
 * inventory incomplete.
 */
const BARE_ZIPS = [
  'python-plain.zip',
  'python-module-alone.zip',
  'python-package-alone.zip',
  'ruby-lib-alone.zip',
];

describe('lamina verify LAYER.zip with modules no package metadata claims', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-python-'));
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    pinning(
      BARE_ZIPS,
      `    packages:
      deny:
        - { purl: 'pkg:pypi/six', versions: '<1.17.0', reason: 'test' }
        - { purl: 'pkg:pypi/iniconfig', versions: '<2.0.0', reason: 'test' }
        - { purl: 'pkg:gem/power_assert', versions: '<2.0.0', reason: 'test' }
`
    )
  );
  const verify = async (zip: string) => {
    const r = await lamina('verify', zip, policy, '--format', 'json');
    const out = JSON.parse(r.stdout) as { ok: boolean; verdicts: Verdict[] };
    const checks = out.verdicts[0]!.checks;
    const detail = (id: string) => checks.find((c) => c.id === id)?.detail ?? '';
    return {
      code: r.code,
      outcomes: Object.fromEntries(checks.map((c) => [c.id, c.outcome])),
      packages: detail('packages'),
      complete: detail('inventory:complete'),
    };
  };

  it('the control: six 1.17.0 with its dist-info passes', async () => {
    const v = await verify('python-plain.zip');
    expect(v.code).toBe(0);
    expect(v.outcomes).toEqual({ digest: 'pass', packages: 'pass', 'inventory:complete': 'pass' });
  });

  it.each([
    ['python-module-alone.zip', 'pkg:pypi/six', 'python/six.py'],
    [
      'python-package-alone.zip',
      'pkg:pypi/iniconfig',
      'python/lib/python3.11/site-packages/iniconfig/__init__.py',
    ],
    ['ruby-lib-alone.zip', 'pkg:gem/power_assert', 'ruby/lib/power_assert/version.rb'],
  ])('%s: exit 1, %s denied, the inventory incomplete at %s', async (zip, purl, path) => {
    const v = await verify(zip);
    expect(v.code).toBe(1);
    expect(v.outcomes).toEqual({ digest: 'pass', packages: 'fail', 'inventory:complete': 'fail' });
    expect(v.packages).toContain(purl);
    expect(v.complete).toContain(`METADATA_INCOMPLETE ${path}`);
  });
});

/**
 * pip lists a module's compiled `__pycache__/*.pyc` in RECORD without a hash, and Python runs it
 * instead of the source when its header says it is current: six.py's RECORD hash checks out
 * while the bytecode beside it is other code. A pyc Python ignores (it records another
 * source's size) changes nothing.
 */
describe('lamina verify LAYER.zip with compiled bytecode beside the source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-pyc-'));
  const zips = ['python-bytecode.zip', 'python-bytecode-stale.zip'];
  const policyFile = (name: string, allow: string) => {
    const path = join(dir, name);
    writeFileSync(path, pinning(zips, allow));
    return path;
  };
  const strict = policyFile('strict.yaml', '');
  const allowing = policyFile(
    'allow.yaml',
    `    inventory:
      allow:
        - code: BYTECODE_NOT_VERIFIED
          paths: ['python/**/__pycache__/**']
          reason: built by our pip job, reviewed
`
  );
  const verify = async (zip: string, policy: string) => {
    const r = await lamina('verify', zip, policy, '--format', 'json');
    const checks = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!.checks;
    return {
      code: r.code,
      outcomes: Object.fromEntries(checks.map((c) => [c.id, c.outcome])),
      complete: checks.find((c) => c.id === 'inventory:complete')?.detail ?? '',
    };
  };

  it('an unchecked hash-based pyc fails inventory:complete, naming it', async () => {
    const v = await verify('python-bytecode.zip', strict);
    expect(v.code).toBe(1);
    expect(v.outcomes).toEqual({ digest: 'pass', 'inventory:complete': 'fail' });
    expect(v.complete).toContain('BYTECODE_NOT_VERIFIED python/__pycache__/six.cpython-311.pyc');
  });

  it('a pyc Python ignores passes; an allowance by path passes the other', async () => {
    expect((await verify('python-bytecode-stale.zip', strict)).code).toBe(0);
    const allowed = await verify('python-bytecode.zip', allowing);
    expect(allowed.code).toBe(0);
    expect(allowed.complete).toContain('allowed by the rule');
  });
});

/**
 * Lambda's Python bootstrap inserts /opt/python/lib/pythonX.Y/site-packages and /opt/python at
 * the front of sys.path, before the standard library: a layer's `uuid.py` is what `import uuid`
 * loads, from the handler, boto3 or the runtime, though it belongs to six (whose RECORD lists it,
 * hash and all) and nothing imports six.
 */
describe('lamina verify LAYER.zip with a module named like the standard library', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lamina-stdlib-'));
  const zips = ['python-plain.zip', 'python-stdlib-shadow.zip'];
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, pinning(zips));

  it("python3 with Lambda's sys.path runs the layer's uuid.py on `import uuid`", () => {
    const opt = join(dir, 'opt');
    expect(
      spawnSync('unzip', ['-q', '-o', `${HOSTILE}/python-stdlib-shadow.zip`, '-d', opt]).status
    ).toBe(0);
    // What the bootstrap does (set_default_sys_path), then an import the handler might make.
    const run = spawnSync(
      'python3',
      ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(join(opt, 'python'))}); import uuid`],
      { encoding: 'utf8' }
    );
    expect(run.stdout).toContain("LAMINA-STDLIB: the layer's uuid.py ran");
  });

  it('fails inventory:complete with STDLIB_SHADOWED, where six alone passes', async () => {
    const verify = async (zip: string) => {
      const r = await lamina('verify', zip, policy, '--format', 'json');
      const checks = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!.checks;
      return { code: r.code, complete: checks.find((c) => c.id === 'inventory:complete') };
    };
    expect((await verify('python-plain.zip')).code).toBe(0);
    const v = await verify('python-stdlib-shadow.zip');
    expect(v.code).toBe(1);
    expect(v.complete?.outcome).toBe('fail');
    expect(v.complete?.detail).toContain('STDLIB_SHADOWED python/uuid.py');
  });
});
