// Builds testdata/layers/java-basic from real jars Debian installs on this
// machine (/usr/share/java, from the maven and libcommons-cli-java packages):
//   java/lib/commons-cli-1.5.0.jar                 pom.properties (copied as is)
//   java/lib/geronimo-interceptor-3.0-spec-1.0.1.jar  one pom.properties whose artifactId
//                                                  differs from the file name (copied as is)
//   java/lib/atinject-jsr330-api-1.0.jar           manifest only (Bundle-SymbolicName)
//   java/lib/aopalliance-1.0.jar                   nothing but its file name
//   java/lib/wagon-http-shaded-3.5.3.jar           the META-INF/ of Debian's shaded wagon-http
//                                                  jar (5 pom.properties), classes dropped to stay small
//   java/lib/app.jar                               a Spring Boot style fat jar built here: its own
//                                                  pom.properties plus two real jars in BOOT-INF/lib/
// Built with scripts/lib/zipwriter.mjs, so the output is byte-for-byte reproducible.
//
// Usage: node scripts/fixtures-java.mjs
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeZip } from './lib/zipwriter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layer = join(root, 'testdata/layers/java-basic');
const lib = join(layer, 'java/lib');
const JAVA = '/usr/share/java';

function real(name) {
  const p = join(JAVA, name);
  if (!existsSync(p)) throw new Error(`missing ${p}: install maven / libcommons-cli-java first`);
  return p;
}

/** Entries of a jar whose names match `keep`, read with unzip (names from `unzip -Z1`). */
function entriesOf(jar, keep) {
  const names = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8' })
    .split('\n')
    .filter((n) => n && keep(n));
  return names.map((name) =>
    name.endsWith('/')
      ? { name, dir: true }
      : { name, data: execFileSync('unzip', ['-p', jar, name], { maxBuffer: 1 << 26 }) }
  );
}

rmSync(layer, { recursive: true, force: true });
mkdirSync(lib, { recursive: true });

for (const name of [
  'commons-cli-1.5.0.jar',
  'geronimo-interceptor-3.0-spec-1.0.1.jar',
  'atinject-jsr330-api-1.0.jar',
  'aopalliance-1.0.jar',
])
  copyFileSync(real(name), join(lib, name));

writeFileSync(
  join(lib, 'wagon-http-shaded-3.5.3.jar'),
  writeZip(entriesOf(real('wagon-http-shaded-3.5.3.jar'), (n) => n.startsWith('META-INF/')))
);

const CRLF = '\r\n';
writeFileSync(
  join(lib, 'app.jar'),
  writeZip([
    { name: 'META-INF/', dir: true },
    {
      name: 'META-INF/MANIFEST.MF',
      data: [
        'Manifest-Version: 1.0',
        'Main-Class: org.springframework.boot.loader.JarLauncher',
        'Start-Class: com.example.App',
        'Spring-Boot-Lib: BOOT-INF/lib/',
        '',
        '',
      ].join(CRLF),
    },
    {
      name: 'META-INF/maven/com.example/app/pom.properties',
      data: 'artifactId=app\ngroupId=com.example\nversion=1.0.0\n',
    },
    { name: 'BOOT-INF/lib/', dir: true },
    // Spring Boot stores nested jars uncompressed.
    ...['error-prone-annotations-2.18.0.jar', 'slf4j-nop-1.7.32.jar'].map((n) => ({
      name: `BOOT-INF/lib/${n}`,
      data: readFileSync(real(n)),
      method: 'store',
    })),
  ])
);
console.log(`wrote ${lib}`);
