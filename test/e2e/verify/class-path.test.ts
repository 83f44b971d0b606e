/**
 * A jar's manifest Class-Path names a file lamina's globs never match (`font.dat`, outside
 * java/lib): the URLClassLoader Lambda's Java runtime loads /opt/java/lib/*.jar with opens it
 * right after that jar, before later jars, so its classes shadow theirs. The layer is built at
 * test time (classes compiled by javac), verified by the built CLI against an inventory
 * policy, and run by the JVM from an extracted copy with a loader like the runtime's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import type { Verdict } from '../../../src/verify/verdict.js';
import { spawnCli } from '../helpers/cli.js';
import { writeInventoryPolicy } from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-class-path-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICY = writeInventoryPolicy(tmp, 'layers');

const hasJavac = spawnSync('javac', ['-version']).status === 0;

/**
 * Lambda's Java runtime: every *.jar in <opt>/java/lib, sorted, in one URLClassLoader, each URL
 * made as its runtime interface client makes it (`new URL("file", null, -1, dir + "/" + name)`,
 * the name not encoded).
 */
const HANDLER = `import java.io.File; import java.net.*; import java.util.*;
public class Handler { public static void main(String[] a) throws Exception {
  File lib = new File(a[0], "java/lib"); String[] names = lib.list((d, n) -> n.endsWith(".jar"));
  Arrays.sort(names); List<URL> urls = new ArrayList<>();
  for (String n : names) urls.add(new URL("file", null, -1, lib.getPath() + "/" + n));
  URLClassLoader cl = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getSystemClassLoader());
  System.out.println(cl.loadClass("com.example.Greeter").getMethod("greet").invoke(null)); } }
`;

/** Write `files` as the layer zip `zip` and, extracted, under `layer` (the JVM's /opt). */
function writeLayer(zip: string, layer: string, files: Record<string, Buffer>): void {
  writeFileSync(zip, writeZip(Object.entries(files).map(([name, data]) => ({ name, data }))));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(layer, name)), { recursive: true });
    writeFileSync(join(layer, name), data);
  }
}

/** Compile the handler into `tmp/<name>` and run it over the extracted `layer`: what it prints. */
function runHandler(name: string, layer: string): string {
  const classes = join(tmp, name);
  mkdirSync(classes, { recursive: true });
  writeFileSync(join(classes, 'Handler.java'), HANDLER);
  const javac = spawnSync('javac', ['-d', classes, join(classes, 'Handler.java')], {
    encoding: 'utf8',
  });
  expect(javac.status, javac.stderr).toBe(0);
  return spawnSync('java', ['-cp', classes, 'Handler', layer], { encoding: 'utf8' }).stdout.trim();
}

/** `lamina verify` of `zip` against the inventory policy: its inventory:complete check. */
function verifyComplete(zip: string) {
  const r = spawnCli([
    ...['verify', zip, '--layer-name', 'platform-x', '--format', 'json'],
    ...['--policy', POLICY],
  ]);
  const checks = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!.checks;
  return { code: r.code, complete: checks.find((c) => c.id === 'inventory:complete') };
}

/** com/example/Greeter.class whose greet() returns `says`, compiled into its own directory. */
function greeter(says: string): Buffer {
  const dir = join(tmp, 'greeter', String(says.length) + says.replace(/\W/g, ''));
  mkdirSync(join(dir, 'com', 'example'), { recursive: true });
  const src = join(dir, 'com', 'example', 'Greeter.java');
  writeFileSync(
    src,
    `package com.example; public class Greeter { public static String greet() { return ${JSON.stringify(says)}; } }`
  );
  const r = spawnSync('javac', ['--release', '11', '-d', dir, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(join(dir, 'com', 'example', 'Greeter.class'));
}

/** A jar holding `greeting` as com/example/Greeter.class (or no class), with a manifest and pom. */
function jar(greeting: Buffer | undefined, manifest: string, pom?: string): Buffer {
  return writeZip([
    { name: 'META-INF/MANIFEST.MF', data: `Manifest-Version: 1.0\r\n${manifest}\r\n` },
    ...(pom
      ? [
          {
            name: `META-INF/maven/com.example/${pom}/pom.properties`,
            data: `groupId=com.example\nartifactId=${pom}\nversion=1.0\n`,
          },
        ]
      : []),
    ...(greeting ? [{ name: 'com/example/Greeter.class', data: greeting }] : []),
  ]);
}

describe.skipIf(!hasJavac)('a jar whose Class-Path loads a file lamina never opened', () => {
  const zip = join(tmp, 'class-path.zip');
  const layer = join(tmp, 'opt');
  let files: Record<string, Buffer>;

  beforeAll(() => {
    files = {
      'java/lib/aaa-core-1.0.jar': jar(
        undefined,
        'Bundle-License: Apache-2.0\r\nImplementation-Version: 1.0\r\n' +
          // A continuation line, as jar tools wrap long values at 72 bytes.
          'Class-Path: ../../share/fo\r\n nts/font.dat\r\n',
        'aaa-core'
      ),
      'java/lib/zzz-greeter-1.0.jar': jar(
        greeter('the greeter lamina read'),
        'Bundle-License: Apache-2.0\r\n',
        'zzz-greeter'
      ),
      'share/fonts/font.dat': jar(greeter('LAMINA-CLASS-PATH: code no package named'), ''),
    };
    writeLayer(zip, layer, files);
  }, 120_000);

  it('the JVM loads the Greeter from font.dat, not from the jars in java/lib', () => {
    expect(runHandler('handler', layer)).toBe('LAMINA-CLASS-PATH: code no package named');
  });

  it('lamina sbom records font.dat as the jar it is, under its own path', () => {
    const out = join(tmp, 'sbom.json');
    const r = spawnCli(['sbom', zip, '-o', out, '--quiet']);
    expect(r.code).toBe(0);
    const bom = JSON.parse(readFileSync(out, 'utf8')) as {
      components: { purl?: string; evidence?: { occurrences?: { location: string }[] } }[];
      compositions: { aggregate: string }[];
    };
    const font = bom.components.find((c) =>
      c.evidence?.occurrences?.some((o) => o.location === '/opt/share/fonts/font.dat')
    );
    expect(font?.purl).toBe('pkg:maven/font/font');
    expect(bom.compositions[0]?.aggregate).toBe('incomplete');
  });

  it('lamina verify with an inventory policy fails inventory:complete, naming it', () => {
    const { code, complete } = verifyComplete(zip);
    expect(code).toBe(1);
    expect(complete?.outcome).toBe('fail');
    expect(complete?.detail).toContain('METADATA_INCOMPLETE share/fonts/font.dat');
  });
});

/** aaa-app-1.0.jar: a manifest, the JarIndex `index` and a pom.properties, no classes. */
function indexedApp(index: string): Buffer {
  return writeZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n\r\n' },
    { name: 'META-INF/INDEX.LIST', data: index },
    {
      name: 'META-INF/maven/com.example/aaa-app/pom.properties',
      data: 'groupId=com.example\nartifactId=aaa-app\nversion=1.0\n',
    },
  ]);
}

/**
 * A JarIndex (META-INF/INDEX.LIST) in a class path jar: the URLClassLoader of Java 8 to 17 opens
 * the jars it maps a package to, relative to that jar, and `evil.dat#.jar` (a line must end in
 * `.jar`; the fragment is dropped) opens java/lib/evil.dat, which the runtime's `*.jar` listing
 * never names. lamina does not follow the index: the jar is an error naming it.
 */
describe.skipIf(!hasJavac)(
  'a class path jar whose JarIndex names a file lamina never opened',
  () => {
    const zip = join(tmp, 'jar-index.zip');
    const layer = join(tmp, 'jar-index', 'opt');

    beforeAll(() => {
      const index =
        'JarIndex-Version: 1.0\n\naaa-app-1.0.jar\napp\n\nevil.dat#.jar\ncom/example\n\n';
      const files: Record<string, Buffer> = {
        'java/lib/aaa-app-1.0.jar': indexedApp(index),
        'java/lib/zzz-greeter-1.0.jar': jar(
          greeter('the greeter lamina read'),
          'Bundle-License: Apache-2.0\r\n',
          'zzz-greeter'
        ),
        'java/lib/evil.dat': jar(greeter('LAMINA-JAR-INDEX: code no package named'), ''),
      };
      writeLayer(zip, layer, files);
    }, 120_000);

    it('the JVM (Java 17 here) loads the Greeter from evil.dat, which the index names', () => {
      const version = spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr;
      const major = Number(/version "(?:1\.)?(\d+)/.exec(version)?.[1]);
      // JarIndex support was removed in Java 18.
      expect(runHandler('handler-index', layer)).toBe(
        major <= 17 ? 'LAMINA-JAR-INDEX: code no package named' : 'the greeter lamina read'
      );
    });

    it('lamina verify with an inventory policy fails inventory:complete, naming the index', () => {
      const { code, complete } = verifyComplete(zip);
      expect(code).toBe(1);
      expect(complete?.outcome).toBe('fail');
      expect(complete?.detail).toContain(
        'NESTED_ARCHIVE_REFUSED java/lib/aaa-app-1.0.jar!/META-INF/INDEX.LIST'
      );
    });
  }
);

/**
 * A JarIndex naming only its own jar (objenesis 3.x ships one): the class loader opens nothing
 * else for it, so the Greeter comes from the next jar on the class path, the one lamina read.
 */
describe.skipIf(!hasJavac)('a class path jar whose JarIndex names only itself', () => {
  const zip = join(tmp, 'jar-index-self.zip');
  const layer = join(tmp, 'jar-index-self', 'opt');

  beforeAll(() => {
    // As objenesis's: its own packages, mapped to its own name.
    const index = 'JarIndex-Version: 1.0\r\n\r\naaa-app-1.0.jar\r\nMETA-INF\r\n\r\n';
    writeLayer(zip, layer, {
      'java/lib/aaa-app-1.0.jar': indexedApp(index),
      'java/lib/zzz-greeter-1.0.jar': jar(
        greeter('the greeter lamina read'),
        'Bundle-License: Apache-2.0\r\n',
        'zzz-greeter'
      ),
    });
  }, 120_000);

  it('the JVM loads the Greeter from the jar lamina read', () => {
    expect(runHandler('handler-index-self', layer)).toBe('the greeter lamina read');
  });

  it('lamina verify with an inventory policy passes inventory:complete', () => {
    const { code, complete } = verifyComplete(zip);
    expect(complete?.outcome).toBe('pass');
    expect(code).toBe(0);
  });
});

/**
 * A jar in java/lib named `greeter-1.0#.jar`: Lambda's runtime lists it (the name ends in `.jar`)
 * but makes its URL without encoding the name, so `java.net.URL` takes `.jar` as a fragment and
 * the class loader opens java/lib/greeter-1.0, a file lamina never reads as a jar.
 */
describe.skipIf(!hasJavac)("a class path jar whose name holds a '#'", () => {
  const zip = join(tmp, 'fragment.zip');
  const layer = join(tmp, 'fragment', 'opt');

  beforeAll(() => {
    writeLayer(zip, layer, {
      'java/lib/greeter-1.0#.jar': jar(
        greeter('the greeter lamina read'),
        'Bundle-License: Apache-2.0\r\n',
        'greeter'
      ),
      'java/lib/greeter-1.0': jar(greeter('LAMINA-FRAGMENT: code no package named'), ''),
    });
  }, 120_000);

  it('the JVM loads the Greeter from java/lib/greeter-1.0', () => {
    expect(runHandler('handler-fragment', layer)).toBe('LAMINA-FRAGMENT: code no package named');
  });

  it('lamina verify with an inventory policy fails inventory:complete, naming the jar', () => {
    const { code, complete } = verifyComplete(zip);
    expect(code).toBe(1);
    expect(complete?.outcome).toBe('fail');
    expect(complete?.detail).toContain('NESTED_ARCHIVE_REFUSED java/lib/greeter-1.0#.jar');
  });
});
