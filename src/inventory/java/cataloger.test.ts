import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import type { Package } from '../../model/package.js';
import { DirectorySource } from '../../unpack/directory.js';
import { MemorySource } from '../../unpack/memory.js';
import { openZipBuffer } from '../../unpack/zip.js';
import { DEFAULT_LIMITS } from '../../unpack/source.js';
import { runCataloger } from '../cataloger.js';
import { javaCataloger } from './cataloger.js';

const FIXTURE = join(import.meta.dirname, '../../../testdata/layers/java-basic');
const LIB = 'java/lib';
/** Real jars from the fixture, for the crafted archives below. */
const COMMONS_CLI = readFileSync(join(FIXTURE, LIB, 'commons-cli-1.5.0.jar'));
const AOPALLIANCE = readFileSync(join(FIXTURE, LIB, 'aopalliance-1.0.jar'));

function hashes(buf: Buffer) {
  return {
    'SHA-1': createHash('sha1').update(buf).digest('hex'),
    'SHA-256': createHash('sha256').update(buf).digest('hex'),
  };
}

function byPurl(packages: Package[], purl: string): Package {
  const found = packages.filter((p) => p.purl === purl);
  expect(found, purl).toHaveLength(1);
  return found[0] as Package;
}

describe('javaCataloger over java-basic', async () => {
  const source = await DirectorySource.open(FIXTURE);
  const { packages, findings } = await runCataloger(javaCataloger, source);
  const fixtureBytes = (name: string) => readFileSync(join(FIXTURE, LIB, name));

  it('reads every jar without findings', () => {
    expect(findings).toEqual([]);
    const jars = source.entries().filter((e) => e.path.endsWith('.jar'));
    expect(jars).toHaveLength(6);
    // Each top-level jar has exactly one package owning it, carrying its hashes.
    for (const jar of jars) {
      const owners = packages.filter((p) => p.owns.includes(jar.path));
      expect(owners, jar.path).toHaveLength(1);
      expect(owners[0]?.hashes).toEqual(hashes(readFileSync(join(FIXTURE, jar.path))));
      expect(owners[0]?.locations).toEqual([{ path: jar.path, layerDigest: source.digest }]);
      expect(owners[0]?.id).toBe(`maven:${jar.path}`);
    }
  });

  it.each([
    // pom.properties, matching the file name
    ['commons-cli-1.5.0.jar', 'pkg:maven/commons-cli/commons-cli@1.5.0'],
    // the only pom.properties, though the file name differs
    [
      'geronimo-interceptor-3.0-spec-1.0.1.jar',
      'pkg:maven/org.apache.geronimo.specs/geronimo-interceptor_3.0_spec@1.0.1',
    ],
    // no pom.properties: the file name's artifactId, the manifest's Bundle-Version, no group
    // taken from Bundle-SymbolicName javax.inject
    ['atinject-jsr330-api-1.0.jar', 'pkg:maven/atinject-jsr330-api/atinject-jsr330-api@1.0.0'],
    // nothing but the file name
    ['aopalliance-1.0.jar', 'pkg:maven/aopalliance/aopalliance@1.0'],
    // shaded: the pom.properties whose artifactId prefixes the file name
    ['wagon-http-shaded-3.5.3.jar', 'pkg:maven/org.apache.maven.wagon/wagon-http@3.5.3'],
    ['app.jar', 'pkg:maven/com.example/app@1.0.0'],
  ])('%s → %s', (file, purl) => {
    const p = byPurl(packages, purl);
    expect(p.owns).toEqual([`${LIB}/${file}`]);
    expect(p.hashes).toEqual(hashes(fixtureBytes(file)));
    expect(p.foundBy).toBe('java-archive');
    expect(p.properties['java:archive-type']).toBe('jar');
  });

  it('reports the other pom.properties of a shaded jar as contained packages', () => {
    const jar = `${LIB}/wagon-http-shaded-3.5.3.jar`;
    const main = byPurl(packages, 'pkg:maven/org.apache.maven.wagon/wagon-http@3.5.3');
    const shaded = packages.filter((p) => p.properties['java:shaded-in'] === jar);
    // every pom.properties in the jar but the main one
    const poms = readFileSync(join(FIXTURE, jar))
      .toString('latin1')
      .match(/META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties/g);
    expect(new Set(poms).size).toBe(5);
    expect(shaded.map((p) => p.purl).sort()).toEqual([
      'pkg:maven/commons-codec/commons-codec@1.15',
      'pkg:maven/org.apache.httpcomponents/httpclient@4.5.14',
      'pkg:maven/org.apache.httpcomponents/httpcore@4.4.16',
      'pkg:maven/org.apache.maven.wagon/wagon-http-shared@3.5.3',
    ]);
    for (const s of shaded) {
      expect(s.locations[0]?.path).toMatch(
        new RegExp(`^${jar}!/META-INF/maven/.+/pom\\.properties$`)
      );
      expect(s.owns).toEqual([]);
      expect(s.hashes).toEqual({});
    }
    expect(main.dependsOn.sort()).toEqual(shaded.map((s) => s.id).sort());
  });

  it('opens nested jars of a fat jar, with !/ paths, their own hashes and edges', async () => {
    const appJar = await openZipBuffer(fixtureBytes('app.jar'), { name: 'app.jar' });
    const app = byPurl(packages, 'pkg:maven/com.example/app@1.0.0');
    const nested = [
      [
        'error-prone-annotations-2.18.0.jar',
        'pkg:maven/com.google.errorprone/error_prone_annotations@2.18.0',
      ],
      ['slf4j-nop-1.7.32.jar', 'pkg:maven/org.slf4j/slf4j-nop@1.7.32'],
    ] as const;
    for (const [file, purl] of nested) {
      const p = byPurl(packages, purl);
      const path = `${LIB}/app.jar!/BOOT-INF/lib/${file}`;
      expect(p.locations).toEqual([{ path, layerDigest: source.digest }]);
      expect(p.id).toBe(`maven:${path}`);
      // The nested jar's bytes, read back out of the fixture's app.jar.
      const inner = await appJar.read(`BOOT-INF/lib/${file}`);
      expect(inner.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
      expect(p.hashes).toEqual(hashes(inner));
      expect(p.owns).toEqual([]);
      expect(app.dependsOn).toContain(p.id);
    }
    expect(app.dependsOn).toHaveLength(2);
  });

  it('takes licenses from an embedded pom.xml', () => {
    const ep = byPurl(packages, 'pkg:maven/com.google.errorprone/error_prone_annotations@2.18.0');
    expect(ep.licenses).toEqual([{ $case: 'name', name: 'Apache 2.0' }]);
  });
});

/** A jar nesting `levels` jars (`lib/level<i>-inner-1.0.jar`) around a leaf jar. */
function nestedJar(levels: number): Buffer {
  let jar = writeZip([
    {
      name: 'META-INF/maven/org.x/leaf/pom.properties',
      data: 'groupId=org.x\nartifactId=leaf\nversion=1\n',
    },
  ]);
  for (let i = 0; i < levels; i++) {
    jar = writeZip([
      {
        name: `META-INF/maven/org.x/level${i}/pom.properties`,
        data: `groupId=org.x\nartifactId=level${i}\nversion=1\n`,
      },
      { name: `lib/level${i}-inner-1.0.jar`, data: jar, method: 'store' },
    ]);
  }
  return jar;
}

describe('javaCataloger limits and broken archives', () => {
  it('stops at --max-depth with a NESTED_ARCHIVE_REFUSED finding and keeps the outer levels', async () => {
    // layer → jar (depth 1) → level1 (2) → level0 (3) → leaf (4): with maxDepth 3 the leaf is refused.
    const source = new MemorySource('mem', { 'java/lib/deep-1.0.jar': nestedJar(3) });
    const { packages, findings } = await runCataloger(javaCataloger, source, {
      limits: {
        ...DEFAULT_LIMITS,
        maxDepth: 3,
      },
    });
    const refusedPath =
      'java/lib/deep-1.0.jar!/lib/level2-inner-1.0.jar!/lib/level1-inner-1.0.jar!/lib/level0-inner-1.0.jar';
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['NESTED_ARCHIVE_REFUSED', refusedPath],
    ]);
    // The refused leaf is still named from its file name and hashed; the outer levels are read.
    expect(packages.map((p) => p.name).sort()).toEqual([
      'level0',
      'level0-inner',
      'level1',
      'level2',
    ]);
    const leaf = packages.find((p) => p.name === 'level0-inner');
    expect(leaf?.locations[0]?.path).toBe(refusedPath);
    expect(leaf?.hashes['SHA-256']).toMatch(/^[0-9a-f]{64}$/);
    expect(packages.find((p) => p.name === 'level0')?.dependsOn).toEqual([leaf?.id]);
    // With the default depth bound every level is read.
    const all = await runCataloger(javaCataloger, source);
    expect(all.findings).toEqual([]);
    expect(all.packages).toHaveLength(4);
  });

  it('turns a corrupt inner jar into a finding and still reads its siblings', async () => {
    const outer = writeZip([
      { name: 'WEB-INF/lib/aopalliance-1.0.jar', data: AOPALLIANCE, method: 'store' },
      { name: 'WEB-INF/lib/broken-1.0.jar', data: 'this is not a zip', method: 'store' },
    ]);
    const source = new MemorySource('mem', { 'java/lib/site.war': outer });
    const { packages, findings } = await runCataloger(javaCataloger, source);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'java/lib/site.war!/WEB-INF/lib/broken-1.0.jar'],
    ]);
    const broken = packages.find((p) => p.name === 'broken');
    // Named from the file, hashed from its bytes: the layer still accounts for it.
    expect(broken?.purl).toBe('pkg:maven/broken/broken@1.0');
    expect(broken?.hashes).toEqual(hashes(Buffer.from('this is not a zip')));
    expect(packages.map((p) => p.purl)).toContain('pkg:maven/aopalliance/aopalliance@1.0');
    const war = packages.find((p) => p.owns.includes('java/lib/site.war'));
    expect(war?.properties['java:archive-type']).toBe('war');
    expect(war?.dependsOn).toHaveLength(2);
  });

  it('refuses a top-level jar over --max-nested-size but names and hashes it by streaming', async () => {
    const bytes = COMMONS_CLI;
    const source = new MemorySource('mem', { 'java/lib/commons-cli-1.5.0.jar': bytes });
    const { packages, findings } = await runCataloger(javaCataloger, source, {
      limits: {
        ...DEFAULT_LIMITS,
        maxNestedSize: 1000,
      },
    });
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'java/lib/commons-cli-1.5.0.jar'],
    ]);
    expect(packages).toHaveLength(1);
    expect(packages[0]).toMatchObject({
      purl: 'pkg:maven/commons-cli/commons-cli@1.5.0',
      hashes: hashes(bytes),
      owns: ['java/lib/commons-cli-1.5.0.jar'],
    });
  });

  it('reports a hostile top-level jar and keeps cataloging the others', async () => {
    const source = new MemorySource('mem', {
      'java/lib/a-1.0.jar': writeZip([{ name: 'x', data: 'x' }], { truncate: 10 }),
      'java/lib/commons-cli-1.5.0.jar': COMMONS_CLI,
    });
    const { packages, findings } = await runCataloger(javaCataloger, source);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'java/lib/a-1.0.jar'],
    ]);
    expect(packages.map((p) => p.purl).sort()).toEqual([
      'pkg:maven/a/a@1.0',
      'pkg:maven/commons-cli/commons-cli@1.5.0',
    ]);
  });

  it('reports an unparsable pom.properties and falls back to the manifest', async () => {
    const jar = writeZip([
      {
        name: 'META-INF/MANIFEST.MF',
        data: 'Manifest-Version: 1.0\r\nBundle-SymbolicName: org.y.thing\r\nBundle-Version: 2.0\r\nBundle-License: MIT\r\n\r\n',
      },
      { name: 'META-INF/maven/org.y/thing/pom.properties', data: 'groupId=org.y\n' },
    ]);
    const source = new MemorySource('mem', { 'lib/thing.jar': jar });
    const { packages, findings } = await runCataloger(javaCataloger, source);
    expect(findings.map((f) => [f.code, f.path])).toEqual([
      ['PARSE_ERROR', 'lib/thing.jar!/META-INF/maven/org.y/thing/pom.properties'],
    ]);
    expect(packages).toHaveLength(1);
    // The file name has no version: the manifest's name (the last part of the symbolic name)
    // and version; no group guessed from the rest of it.
    expect(packages[0]?.purl).toBe('pkg:maven/thing/thing@2.0');
    expect(packages[0]?.licenses).toEqual([{ $case: 'expression', expression: 'MIT' }]);
  });
});

describe('jars without pom.properties', () => {
  // The JVM's class path wildcard (/opt/java/lib/*) loads `.JAR` as it loads `.jar`.
  it('reads an upper-case .JAR as it reads a .jar', async () => {
    const src = new MemorySource('l', { [`${LIB}/COMMONS-CLI.JAR`]: COMMONS_CLI });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(findings).toEqual([]);
    const cli = byPurl(packages, 'pkg:maven/commons-cli/commons-cli@1.5.0');
    expect(cli.owns).toEqual([`${LIB}/COMMONS-CLI.JAR`]);
    expect(cli.hashes).toEqual(hashes(COMMONS_CLI));
  });

  // `java -cp 'lib/*'` takes a directory named `x.jar` as a class directory and loads its classes.
  it('reports a directory in java/lib named like a jar as unseen, once', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/hidden.jar/META-INF/maven/g/a/pom.properties`]:
        'groupId=g\nartifactId=a\nversion=1\n',
      [`${LIB}/hidden.jar/g/A.class`]: 'cafebabe',
      [`${LIB}/HIDDEN.JAR/g/B.class`]: 'cafebabe',
      [`${LIB}/classes/g/C.class`]: 'cafebabe',
      'java/other/x.jar/g/D.class': 'cafebabe',
      [`${LIB}/COMMONS-CLI.JAR`]: COMMONS_CLI,
    });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['SPECIAL_FILE', 'error', `${LIB}/HIDDEN.JAR/g/B.class`],
      ['SPECIAL_FILE', 'error', `${LIB}/hidden.jar/META-INF/maven/g/a/pom.properties`],
    ]);
    expect(packages.map((p) => p.purl)).toEqual(['pkg:maven/commons-cli/commons-cli@1.5.0']);
  });

  it('commons-logging-1.2.jar is commons-logging:commons-logging@1.2, not org.apache:logging; license URL → SPDX', async () => {
    const jar = writeZip([
      {
        name: 'META-INF/MANIFEST.MF',
        data:
          'Manifest-Version: 1.0\r\nImplementation-Title: Apache Commons Logging\r\n' +
          'Implementation-Vendor-Id: org.apache\r\nImplementation-Version: 1.2\r\n' +
          'Bundle-SymbolicName: org.apache.commons.logging\r\nBundle-Version: 1.2.0\r\n' +
          'Bundle-License: http://www.apache.org/licenses/LICENSE-2.0.txt\r\n\r\n',
      },
    ]);
    const source = new MemorySource('mem', { 'java/lib/commons-logging-1.2.jar': jar });
    const { packages } = await runCataloger(javaCataloger, source);
    expect(packages.map((p) => p.purl)).toEqual(['pkg:maven/commons-logging/commons-logging@1.2']);
    expect(packages[0]?.properties['java:group-assumed']).toBe('true');
    expect(packages[0]?.licenses).toEqual([{ $case: 'expression', expression: 'Apache-2.0' }]);
  });

  it('keeps a license URL that names no single license as a name', async () => {
    const jar = writeZip([
      {
        name: 'META-INF/MANIFEST.MF',
        data: 'Manifest-Version: 1.0\r\nBundle-License: https://www.gnu.org/licenses/gpl.html\r\n\r\n',
      },
    ]);
    const { packages } = await runCataloger(
      javaCataloger,
      new MemorySource('mem', { 'java/lib/x-1.0.jar': jar })
    );
    expect(packages[0]?.licenses).toEqual([
      { $case: 'name', name: 'https://www.gnu.org/licenses/gpl.html' },
    ]);
  });
});

/**
 * A jar's manifest Class-Path: the URLClassLoader Lambda's Java runtime loads /opt/java/lib/*.jar
 * with opens what it names right after the jar, whatever its name, and before later jars.
 */
describe('Class-Path of a class path jar', () => {
  const manifest = (classPath: string) =>
    `Manifest-Version: 1.0\r\nImplementation-Version: 1.0\r\nClass-Path: ${classPath}\r\n\r\n`;
  const pom = (a: string) => ({
    name: `META-INF/maven/com.example/${a}/pom.properties`,
    data: `groupId=com.example\nartifactId=${a}\nversion=1.0\n`,
  });
  const jar = (classPath: string | undefined, ...more: { name: string; data: string }[]) =>
    writeZip([
      ...(classPath === undefined
        ? []
        : [{ name: 'META-INF/MANIFEST.MF', data: manifest(classPath) }]),
      { name: 'com/example/Greeter.class', data: 'cafebabe' },
      ...more,
    ]);
  const codes = (findings: { code: string; severity: string; path?: string }[]) =>
    findings.map((f) => [f.code, f.severity, f.path]);
  const MF = `${LIB}/aaa-core-1.0.jar!/META-INF/MANIFEST.MF`;

  it('reads a file it names as a jar, whatever its name, and an unnamed one is incomplete', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: jar('../../share/fonts/font.dat', pom('aaa-core')),
      [`${LIB}/zzz-greeter-1.0.jar`]: jar(undefined, pom('zzz-greeter')),
      'share/fonts/font.dat': jar(undefined),
    });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([['METADATA_INCOMPLETE', 'error', 'share/fonts/font.dat']]);
    const font = packages.find((p) => p.owns.includes('share/fonts/font.dat'))!;
    expect(font.purl).toBe('pkg:maven/font/font');
    expect(font.hashes?.['SHA-256']).toBe(hashes(jar(undefined))['SHA-256']);
    expect(font.properties['java:class-path-of']).toBe(`${LIB}/aaa-core-1.0.jar`);
    const core = byPurl(packages, 'pkg:maven/com.example/aaa-core@1.0');
    expect(core.dependsOn).toEqual([font.id]);
  });

  it('a named jar with a version is simply another package; its own Class-Path is followed', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: jar('../../vendor/x.bin', pom('aaa-core')),
      // x.bin names y.bin, which names x.bin again (the loader opens each URL once).
      'vendor/x.bin': jar('y.bin', pom('x')),
      'vendor/y.bin': jar('x.bin ../outside/', pom('y')),
    });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([
      ['CLASS_PATH_DANGLING', 'warning', 'vendor/y.bin!/META-INF/MANIFEST.MF'],
    ]);
    expect(byPurl(packages, 'pkg:maven/com.example/x@1.0').owns).toEqual(['vendor/x.bin']);
    expect(byPurl(packages, 'pkg:maven/com.example/y@1.0').owns).toEqual(['vendor/y.bin']);
  });

  it('what it cannot read is an error; what is not in this layer a warning', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: jar(
        [
          '../../../../etc/evil.jar', // out of /opt
          '../../../opt/java/lib/zzz-1.0.jar', // back into the layer: already read
          '/opt/abs.jar',
          'file:/opt/url.jar',
          'classes/', // a class directory
          'classes', // a directory opened as a jar: loads nothing
          'missing.jar',
          'notajar.bin',
          'bad%zz',
        ].join(' '),
        pom('aaa-core')
      ),
      [`${LIB}/zzz-1.0.jar`]: jar(undefined, pom('zzz')),
      [`${LIB}/classes/com/example/Greeter.class`]: 'cafebabe',
      [`${LIB}/notajar.bin`]: 'not a zip',
    });
    const { findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([
      ['PATH_TRAVERSAL', 'error', MF],
      ['ABSOLUTE_PATH', 'error', MF],
      ['ABSOLUTE_PATH', 'error', MF],
      ['SPECIAL_FILE', 'error', MF],
      ['CLASS_PATH_DANGLING', 'warning', MF],
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/notajar.bin`],
      ['PARSE_ERROR', 'error', MF],
    ]);
  });

  it('resolves against the link path a jar is reached by; jars off the class path are not followed', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: { symlink: '../../vendor/lib/aaa-core-1.0.jar' },
      'vendor/lib/aaa-core-1.0.jar': jar('hidden.dat', pom('aaa-core')),
      [`${LIB}/hidden.dat`]: jar(undefined),
      'vendor/lib/hidden.dat': jar(undefined, pom('decoy')),
      // Not on the class path: its Class-Path is nothing the runtime follows.
      'share/other-1.0.jar': jar('other.dat', pom('other')),
      'share/other.dat': jar(undefined),
    });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([['METADATA_INCOMPLETE', 'error', `${LIB}/hidden.dat`]]);
    expect(packages.some((p) => p.owns.includes(`${LIB}/hidden.dat`))).toBe(true);
    expect(packages.some((p) => p.purl?.startsWith('pkg:maven/com.example/decoy'))).toBe(false);
    expect(packages.some((p) => p.owns.includes('share/other.dat'))).toBe(false);
  });

  it('an unversioned jar only Class-Path loads is incomplete under a jar name too; one listed is not', async () => {
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: jar('../../share/evil.jar listed.jar', pom('aaa-core')),
      'share/evil.jar': jar(undefined),
      // In java/lib the runtime loads it anyway: as any jar there, named from its file.
      [`${LIB}/listed.jar`]: jar(undefined),
    });
    const { packages, findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([['METADATA_INCOMPLETE', 'error', 'share/evil.jar']]);
    const evil = packages.find((p) => p.owns.includes('share/evil.jar'))!;
    expect(evil.owns).toEqual(['share/evil.jar']);
    expect(evil.properties['java:class-path-of']).toBe(`${LIB}/aaa-core-1.0.jar`);
    const listed = packages.find((p) => p.owns.includes(`${LIB}/listed.jar`))!;
    expect(listed.properties['java:class-path-of']).toBeUndefined();
  });

  it('a class path jar holding a JarIndex (META-INF/INDEX.LIST) is an error; one off the class path is not', async () => {
    const index = {
      name: 'META-INF/INDEX.LIST',
      data: 'JarIndex-Version: 1.0\n\naaa-core-1.0.jar\ncom\n\nevil.dat#.jar\nevil\n\n',
    };
    const src = new MemorySource('l', {
      [`${LIB}/aaa-core-1.0.jar`]: jar(undefined, pom('aaa-core'), index),
      [`${LIB}/evil.dat`]: jar(undefined),
      // Reached through a Class-Path, in another case, with no manifest of its own.
      [`${LIB}/bbb-1.0.jar`]: jar('../../share/ccc-1.0.jar', pom('bbb')),
      'share/ccc-1.0.jar': writeZip([{ name: 'meta-inf/index.list', data: index.data }]),
      // Not on the class path: the runtime never opens it, nor its index.
      'share/other-1.0.jar': jar(undefined, pom('other'), index),
    });
    const { findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/aaa-core-1.0.jar!/META-INF/INDEX.LIST`],
      ['NESTED_ARCHIVE_REFUSED', 'error', 'share/ccc-1.0.jar!/meta-inf/index.list'],
    ]);
    expect(findings[0]?.message).toMatch(/JarIndex .* Java 8 to 17 opens the jars it names/);
  });

  it('a JarIndex naming only jars the runtime lists beside it is no error', async () => {
    // As objenesis 3.x ships it (its own file name); ant's names ant.jar.
    const index = (...jars: string[]) => ({
      name: 'META-INF/INDEX.LIST',
      data: `JarIndex-Version: 1.0\r\n\r\n${jars.map((j) => `${j}\r\norg\r\n\r\n`).join('')}`,
    });
    const src = new MemorySource('l', {
      [`${LIB}/objenesis-3.4.jar`]: jar(undefined, pom('objenesis'), index('objenesis-3.4.jar')),
      [`${LIB}/ant-1.10.15.jar`]: jar('../../share/ccc-1.0.jar', pom('ant'), index('ant.jar')),
      // Under a link's name: the names resolve beside the link, in java/lib.
      [`${LIB}/objenesis.jar`]: { symlink: '../../vendor/objenesis-3.3.jar' },
      'vendor/objenesis-3.3.jar': jar(undefined, pom('objenesis3'), index('objenesis-3.3.jar')),
      // A name a URL resolves otherwise, and a jar reached only by a Class-Path, outside java/lib:
      // what their indexes name is no jar the runtime lists.
      [`${LIB}/odd-1.0.jar`]: jar(undefined, pom('odd'), index('./odd-1.0.jar')),
      'share/ccc-1.0.jar': jar(undefined, pom('ccc'), index('ccc-1.0.jar')),
    });
    const { findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/odd-1.0.jar!/META-INF/INDEX.LIST`],
      ['NESTED_ARCHIVE_REFUSED', 'error', 'share/ccc-1.0.jar!/META-INF/INDEX.LIST'],
    ]);
  });

  it("a class path jar named with '#' or '%' is an error: the runtime's unencoded URL opens another file", async () => {
    const src = new MemorySource('l', {
      // The runtime opens java/lib/greeter-1.0 for the first, java/lib/b c-1.0.jar for the second.
      [`${LIB}/greeter-1.0#.jar`]: jar(undefined, pom('greeter')),
      [`${LIB}/greeter-1.0`]: jar(undefined),
      [`${LIB}/b%20c-1.0.jar`]: jar(undefined, pom('b')),
      // Off the class path, and a plain name: nothing to say.
      'share/x#.jar': jar(undefined, pom('x')),
      [`${LIB}/plain-1.0.jar`]: jar(undefined, pom('plain')),
    });
    const { findings } = await runCataloger(javaCataloger, src);
    expect(codes(findings)).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/b%20c-1.0.jar`],
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/greeter-1.0#.jar`],
    ]);
    expect(findings[1]?.message).toContain('"greeter-1.0#.jar" is "greeter-1.0" to it');
  });

  it('a chain longer than it follows is reported, not walked', async () => {
    const files: Record<string, Buffer> = {
      [`${LIB}/aaa-core-1.0.jar`]: jar('c0.bin', pom('aaa-core')),
    };
    for (let i = 0; i < 20; i++) files[`${LIB}/c${i}.bin`] = jar(`c${i + 1}.bin`, pom(`c${i}`));
    const { packages, findings } = await runCataloger(javaCataloger, new MemorySource('l', files));
    expect(codes(findings)).toEqual([
      ['NESTED_ARCHIVE_REFUSED', 'error', `${LIB}/c15.bin!/META-INF/MANIFEST.MF`],
    ]);
    expect(packages.filter((p) => p.properties['java:class-path-of'])).toHaveLength(16);
  });
});
