import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canonicalKey,
  classifyMiss,
  compareBoms,
  countByEcosystem,
  diffKeys,
  evidenceByKey,
  jarsIdentified,
  packageKeys,
} from './compare.mjs';
import { parseRecord } from './layer.mjs';
import { topByProjectFrame, topSelfTime } from './profile.mjs';

describe('canonicalKey (PEP 503 names, identity-only purl qualifiers)', () => {
  it('applies PEP 503 to pypi names, dots included', () => {
    expect(canonicalKey('pkg:pypi/zope.interface@6.0')).toBe('pypi/zope-interface@6.0');
    expect(canonicalKey('pkg:pypi/Typing_Extensions@4.15.0')).toBe('pypi/typing-extensions@4.15.0');
  });
  it('decodes and lowercases npm scopes', () => {
    expect(canonicalKey('pkg:npm/%40Middy/Core@5.4.0')).toBe('npm/@middy/core@5.4.0');
  });
  it('drops type=jar but keeps other maven identity qualifiers', () => {
    expect(canonicalKey('pkg:maven/com.google.guava/guava@31.1-jre?type=jar')).toBe(
      'maven/com.google.guava/guava@31.1-jre'
    );
    expect(canonicalKey('pkg:maven/a/b@1?type=jar&classifier=tests')).toBe(
      'maven/a/b@1?classifier=tests'
    );
    expect(canonicalKey('pkg:maven/a/b@1?type=pom')).toBe('maven/a/b@1?type=pom');
  });
  it('drops location qualifiers and keeps gem platform', () => {
    expect(canonicalKey('pkg:npm/uuid@9.0.1?file_path=x&package-id=1')).toBe('npm/uuid@9.0.1');
    expect(canonicalKey('pkg:gem/nokogiri@1.16.0?platform=x86_64-linux')).toBe(
      'gem/nokogiri@1.16.0?platform=x86_64-linux'
    );
  });
  it('returns undefined for text that is not a purl', () => {
    expect(canonicalKey('not a purl')).toBeUndefined();
  });
});

// Shapes as cdxgen 12.8.4 and lamina write them (component types, SrcFile, occurrences).
const cdxgenBom = {
  metadata: { component: { type: 'container', purl: 'pkg:container/stage@latest' } },
  components: [
    { type: 'library', purl: 'pkg:npm/%40middy/core@5.4.0' },
    { type: 'library', purl: 'pkg:pypi/typing-extensions@4.15.0', name: 'typing_extensions' },
    {
      type: 'library',
      purl: 'pkg:maven/com.google.inject/guice-no-aop@4.2.3?type=jar',
      properties: [{ name: 'SrcFile', value: 'jar-deps-FtNBum/guice-no-aop-4.2.3.jar' }],
    },
    { type: 'file', purl: 'pkg:generic/uuid' },
    { type: 'library', name: 'no-purl' },
    {
      type: 'library',
      purl: 'pkg:npm/outer@1.0.0',
      components: [{ type: 'library', purl: 'pkg:npm/inner@2.0.0' }],
    },
  ],
};
const laminaBom = {
  components: [
    { type: 'library', purl: 'pkg:npm/%40middy/core@5.4.0' },
    { type: 'library', purl: 'pkg:pypi/typing_extensions@4.15.0' },
    {
      type: 'library',
      purl: 'pkg:maven/org.apache.httpcomponents/httpclient@4.5.14',
      evidence: {
        occurrences: [
          {
            location:
              '/opt/java/lib/wagon-http-shaded-3.5.3.jar!/META-INF/maven/x/y/pom.properties',
          },
        ],
      },
    },
  ],
};

describe('packageKeys / diffKeys', () => {
  it('skips file components, purl-less ones and metadata.component; flattens nested ones', () => {
    expect([...packageKeys(cdxgenBom)].sort()).toEqual([
      'maven/com.google.inject/guice-no-aop@4.2.3',
      'npm/@middy/core@5.4.0',
      'npm/inner@2.0.0',
      'npm/outer@1.0.0',
      'pypi/typing-extensions@4.15.0',
    ]);
    expect(countByEcosystem(packageKeys(cdxgenBom))).toEqual({
      total: 5,
      npm: 3,
      pypi: 1,
      maven: 1,
    });
  });
  it('matches identities across spellings and reports misses both ways', () => {
    const d = diffKeys(packageKeys(laminaBom), packageKeys(cdxgenBom));
    expect(d['pypi']).toEqual({ both: 1, onlyA: [], onlyB: [] });
    expect(d['npm']).toEqual({ both: 1, onlyA: [], onlyB: ['npm/inner@2.0.0', 'npm/outer@1.0.0'] });
    expect(d['maven']).toEqual({
      both: 0,
      onlyA: ['maven/org.apache.httpcomponents/httpclient@4.5.14'],
      onlyB: ['maven/com.google.inject/guice-no-aop@4.2.3'],
    });
  });
  it('maps both tools’ jar evidence back to the jar file name', () => {
    expect([...jarsIdentified(cdxgenBom)]).toEqual(['guice-no-aop-4.2.3.jar']);
    expect([...jarsIdentified(laminaBom)]).toEqual(['wagon-http-shaded-3.5.3.jar']);
  });
});

describe('evidenceByKey / classifyMiss', () => {
  it('makes both tools’ evidence layer-relative', () => {
    const bom = {
      components: [
        {
          purl: 'pkg:npm/baz',
          properties: [
            {
              name: 'SrcFile',
              value: '/tmp/x/stage/opt/nodejs/node_modules/resolve/test/resolver/baz/package.json',
            },
          ],
        },
        {
          purl: 'pkg:npm/uuid@9.0.1',
          evidence: { occurrences: [{ location: '/opt/nodejs/node_modules/uuid/package.json' }] },
        },
      ],
    };
    const ev = evidenceByKey(bom);
    expect(ev.get('npm/baz@')).toEqual([
      'nodejs/node_modules/resolve/test/resolver/baz/package.json',
    ]);
    expect(ev.get('npm/uuid@9.0.1')).toEqual(['nodejs/node_modules/uuid/package.json']);
  });
  it('tells package.json files of test fixtures from installed packages', () => {
    const none = new Set<string>();
    expect(
      classifyMiss('npm/baz@', ['nodejs/node_modules/resolve/test/resolver/baz/package.json'], none)
    ).toBe('not-installed');
    expect(
      classifyMiss('npm/@a/b@1.0.0', ['nodejs/node_modules/x/node_modules/@a/b/package.json'], none)
    ).toBe('missed');
  });
  it('separates guessed coordinates for a shared jar from shaded libraries the other tool missed', () => {
    const other = new Set(['guice-assistedinject-4.2.3.jar', 'wagon-http-shaded-3.5.3.jar']);
    expect(
      classifyMiss(
        'maven/com.google.inject/assistedinject@4.2.3',
        ['java/lib/guice-assistedinject-4.2.3.jar'],
        other
      )
    ).toBe('same-jar-other-coordinates');
    expect(
      classifyMiss(
        'maven/commons-codec/commons-codec@1.15',
        [
          'java/lib/wagon-http-shaded-3.5.3.jar!/META-INF/maven/commons-codec/commons-codec/pom.properties',
        ],
        other
      )
    ).toBe('missed');
    expect(classifyMiss('maven/gettext/gettext@', ['java/lib/gettext.jar'], other)).toBe('missed');
  });
});

describe('compareBoms', () => {
  const jar = (purl: string, file: string) => ({
    type: 'library',
    purl,
    evidence: { occurrences: [{ location: `/opt/java/lib/${file}` }] },
  });
  const src = (purl: string, file: string) => ({
    type: 'library',
    purl: `${purl}?type=jar`,
    properties: [{ name: 'SrcFile', value: `jar-deps-AbC123/${file}` }],
  });
  it('calls a jar disputed only when the tools share no key from it', () => {
    const a = {
      components: [
        jar('pkg:maven/com.google.inject/assistedinject@4.2.3', 'guice-assistedinject-4.2.3.jar'),
        jar(
          'pkg:maven/org.apache.maven.wagon/wagon-http-shared@3.5.3',
          'wagon-http-shaded-3.5.3.jar'
        ),
        jar('pkg:maven/org.apache.maven.wagon/wagon-http@3.5.3', 'wagon-http-shaded-3.5.3.jar'),
        jar('pkg:maven/gettext/gettext', 'gettext.jar'),
      ],
    };
    const b = {
      components: [
        src(
          'pkg:maven/org.apache.stratos/guice-assistedinject@4.2.3',
          'guice-assistedinject-4.2.3.jar'
        ),
        src(
          'pkg:maven/org.apache.maven.wagon/wagon-http-shared@3.5.3',
          'wagon-http-shaded-3.5.3.jar'
        ),
      ],
    };
    const r = compareBoms(a, b, [
      'gettext.jar',
      'guice-assistedinject-4.2.3.jar',
      'wagon-http-shaded-3.5.3.jar',
    ]);
    expect(r.jars).toMatchObject({
      identifiedByLamina: 3,
      identifiedByCdxgen: 2,
      missedByCdxgen: ['gettext.jar'],
      disputed: ['guice-assistedinject-4.2.3.jar'],
    });
    const reasons = Object.fromEntries(
      r.perEcosystem['maven']!.onlyLaminaSample.map((x) => [x.key, x.reason])
    );
    expect(reasons).toEqual({
      'maven/com.google.inject/assistedinject@4.2.3': 'same-jar-other-coordinates',
      'maven/gettext/gettext@': 'missed',
      'maven/org.apache.maven.wagon/wagon-http@3.5.3': 'missed',
    });
    expect(r.perEcosystem['maven']!.both).toBe(1);
    expect(r.realMissesByCdxgen).toBe(2);
    expect(r.realMissesByLamina).toBe(0);
  });
});

describe('parseRecord', () => {
  it('reads a real wheel RECORD: hashed files, and RECORD itself unhashed', () => {
    const text = readFileSync(
      'testdata/layers/python-basic/python/six-1.17.0.dist-info/RECORD',
      'utf8'
    );
    const rows = parseRecord(text);
    expect(rows.length).toBe(text.trim().split('\n').length);
    expect(rows.find((r) => r.path === 'six.py')?.hash).toMatch(/^sha256=[\w-]{43}$/);
    expect(rows.find((r) => r.path === 'six-1.17.0.dist-info/RECORD')?.hash).toBe('');
  });
  it('unquotes paths that contain commas', () => {
    expect(parseRecord('"a,b.py",sha256=x,1\n')).toEqual([
      { line: '"a,b.py",sha256=x,1', path: 'a,b.py', hash: 'sha256=x' },
    ]);
  });
});

describe('topSelfTime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('puts the function that burns the CPU first in a real node --cpu-prof profile', () => {
    const script =
      'function burnCpuForBench(){let x=0;const end=Date.now()+300;while(Date.now()<end)x+=Math.sqrt(x+1);return x}burnCpuForBench()';
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '-e', script]);
    expect(r.status).toBe(0);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    expect(file).toBeDefined();
    const top = topSelfTime(join(dir, file!), 5);
    const named = top.filter((t) => !t.fn.startsWith('('));
    expect(named[0]?.fn).toBe('burnCpuForBench');
    expect(named[0]!.selfMs).toBeGreaterThan(100);
  });
  it('charges Node-internal time to the nearest frame of a script under the project root', () => {
    const root = mkdtempSync(join(tmpdir(), 'bench-root-'));
    try {
      // JSON.stringify runs in V8 builtins; its time must land on the calling project function.
      writeFileSync(
        join(root, 'work.js'),
        'function serializeForBench(){const o={a:[1,2,3],b:"x".repeat(100)};let n=0;const end=Date.now()+300;while(Date.now()<end)n+=JSON.stringify(o).length;return n}\nserializeForBench()\n'
      );
      const r = spawnSync(process.execPath, [
        '--cpu-prof',
        '--cpu-prof-dir',
        root,
        join(root, 'work.js'),
      ]);
      expect(r.status).toBe(0);
      const file = readdirSync(root).find((f) => f.endsWith('.cpuprofile'))!;
      const top = topByProjectFrame(join(root, file), `${root}/`);
      expect(top[0]).toMatchObject({ fn: 'serializeForBench', where: 'work.js:1' });
      expect(top[0]!.pct).toBeGreaterThan(50);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('gc-trace.mjs (the scan benchmark --gc-trace preload)', () => {
  const preload = pathToFileURL(join(import.meta.dirname, 'gc-trace.mjs')).href;
  // 200,000 objects kept live across two forced full collections; the process then lives on a
  // little, as a scan does, for Node to deliver the collections' entries.
  const work =
    'const keep=[];for(let i=0;i<2e5;i++)keep.push({i});gc();gc();globalThis.k=keep;' +
    'setTimeout(()=>{},200);';

  it('records each full collection with the old space holding what stays live', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-trace-'));
    try {
      const out = join(dir, 'trace.json');
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', preload, '-e', work], {
        env: { ...process.env, LAMINA_BENCH_GC_TRACE: out },
      });
      expect(r.status, String(r.stderr)).toBe(0);
      const trace = JSON.parse(readFileSync(out, 'utf8')) as {
        peak: { rss: number };
        fullCollections: { rss: number; spaces: Record<string, { size: number; used: number }> }[];
      };
      expect(trace.fullCollections.length).toBeGreaterThanOrEqual(2);
      const old = trace.fullCollections.at(-1)!.spaces['old']!;
      // 200,000 small objects are several MiB; the space's pages hold at least what is in them.
      expect(old.used).toBeGreaterThan(4);
      expect(old.size).toBeGreaterThanOrEqual(old.used);
      expect(trace.peak.rss).toBeGreaterThanOrEqual(trace.fullCollections[0]!.rss);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes nothing without LAMINA_BENCH_GC_TRACE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-trace-'));
    try {
      const env = { ...process.env };
      delete env['LAMINA_BENCH_GC_TRACE'];
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', preload, '-e', work], {
        cwd: dir,
        env,
      });
      expect(r.status, String(r.stderr)).toBe(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
