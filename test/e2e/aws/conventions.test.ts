/**
 * AWS conventions every AWS command follows, as the AWS CLI taught users: profiles from the
 * shared files (region, endpoint_url, service-specific endpoints), an unknown profile is a usage
 * error, flags checked when parsed, timeouts on an endpoint that never answers, and one line
 * saying what to do when no credentials or principal can be found.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import { runCli, spawnCli } from '../helpers/cli.js';
import { SBOM_ESTATE, arnOf } from '../sbom/estate.js';

let h: AwsLocal | undefined;
let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

/** Move the endpoint's credentials and region out of the environment into the shared files. */
async function profiles(local: AwsLocal, config: string): Promise<void> {
  const { accessKeyId, secretAccessKey } = local.endpoint.credentials;
  process.env['AWS_CONFIG_FILE'] = await local.file('config', config);
  process.env['AWS_SHARED_CREDENTIALS_FILE'] = await local.file(
    'credentials',
    `[prod]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`
  );
  delete process.env['AWS_ACCESS_KEY_ID'];
  delete process.env['AWS_SECRET_ACCESS_KEY'];
  delete process.env['AWS_REGION'];
  delete process.env['AWS_DEFAULT_REGION'];
}

const cache = (local: AwsLocal): string[] => ['--cache-dir', local.cacheDir];

describe('profiles', () => {
  it("--profile takes the profile's credentials, region and endpoint_url", async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    await profiles(h, `[profile prod]\nregion = us-east-1\nendpoint_url = ${h.endpoint.url}\n`);
    // No --region: --function needs one, and the profile gives it.
    const r = await runCli(['sbom', '--function', 'merged', '--profile', 'prod', ...cache(h)]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('bomFormat', 'CycloneDX');
  });

  it('AWS_PROFILE does the same', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    await profiles(h, `[profile prod]\nregion = us-east-1\nendpoint_url = ${h.endpoint.url}\n`);
    process.env['AWS_PROFILE'] = 'prod';
    const r = await runCli(['sbom', arnOf('npm', 1), ...cache(h)]);
    expect(r.code).toBe(0);
  });

  it("a profile's services section gives Lambda its own endpoint", async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    await profiles(
      h,
      `[profile prod]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\nservices = local\n` +
        `[services local]\nlambda =\n  endpoint_url = ${h.endpoint.url}\n`
    );
    const r = await runCli(['sbom', arnOf('npm', 1), '--profile', 'prod', ...cache(h)]);
    expect(r.code).toBe(0);
    // AWS_ENDPOINT_URL_LAMBDA outranks the profile, as the SDK documents.
    process.env['AWS_ENDPOINT_URL_LAMBDA'] = 'http://127.0.0.1:9';
    try {
      const bad = await runCli([
        'sbom',
        arnOf('npm', 1),
        '--profile',
        'prod',
        '--max-attempts',
        '1',
        ...cache(h),
      ]);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/cannot reach the AWS endpoint/);
    } finally {
      delete process.env['AWS_ENDPOINT_URL_LAMBDA'];
    }
  });

  it('an undefined profile is a usage error naming it (flag or AWS_PROFILE)', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    await profiles(h, `[profile prod]\nregion = us-east-1\n`);
    const r = await runCli(['sbom', arnOf('npm', 1), '--profile', 'staging', ...cache(h)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('"staging"');
    process.env['AWS_PROFILE'] = 'qa';
    const env = await runCli(['scan', '--output-dir', h.dir + '/out', ...cache(h)]);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/"qa" .*AWS_PROFILE/);
  });
});

describe('credential sources the SDK resolves for a profile', () => {
  it('credential_process: the keys a process prints are used, and a wrong secret is one line', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const { accessKeyId, secretAccessKey } = h.endpoint.credentials;
    const script = async (secret: string): Promise<string> =>
      h!.file(
        `creds-${secret.length}.mjs`,
        `console.log(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(accessKeyId)}, ` +
          `SecretAccessKey: ${JSON.stringify(secret)} }));\n`
      );
    const good = await script(secretAccessKey);
    const bad = await script(`${secretAccessKey}-wrong`);
    await profiles(
      h,
      `[profile proc]\nregion = us-east-1\nendpoint_url = ${h.endpoint.url}\n` +
        `credential_process = ${process.execPath} ${good}\n` +
        `[profile wrong]\nregion = us-east-1\nendpoint_url = ${h.endpoint.url}\n` +
        `credential_process = ${process.execPath} ${bad}\n`
    );
    const ok = await runCli(['sbom', arnOf('npm', 1), '--profile', 'proc', ...cache(h)]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const r = await runCli(['sbom', arnOf('npm', 1), '--profile', 'wrong', ...cache(h)]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/AWS rejected the credentials \(InvalidSignatureException\)/);
  });

  it("role chaining: role_arn + source_profile reads what only the role's account may read", async () => {
    h = await startAwsLocal(
      SBOM_ESTATE.replace(
        '      - { accessKeyId: AKIASBOMOTHER0000001, secretAccessKey: other-secret }\n',
        '      - { accessKeyId: AKIASBOMOTHER0000001, secretAccessKey: other-secret }\n' +
          "    roles:\n      - { name: Reader, trustedAccounts: ['111111111111'] }\n"
      )
    );
    const endpoint = `region = us-east-1\nendpoint_url = ${h.endpoint.url}\n`;
    await profiles(
      h,
      `[profile prod]\n${endpoint}` +
        `[profile chain]\n${endpoint}source_profile = prod\n` +
        `role_arn = arn:aws:iam::222222222222:role/Reader\n`
    );
    const privateLayer = arnOf('private', 1, '222222222222');
    const direct = await runCli(['sbom', privateLayer, '--profile', 'prod', ...cache(h)]);
    expect(direct.code).not.toBe(0);
    // The SDK's role provider makes its own STS client, which reads AWS_ENDPOINT_URL_STS but
    // not the profile's endpoint_url; on AWS the default STS endpoint is the right one.
    process.env['AWS_ENDPOINT_URL_STS'] = h.endpoint.url;
    let chained: Awaited<ReturnType<typeof runCli>>;
    try {
      chained = await runCli(['sbom', privateLayer, '--profile', 'chain', ...cache(h)]);
    } finally {
      delete process.env['AWS_ENDPOINT_URL_STS'];
    }
    expect(chained.stderr).toBe('');
    expect(chained.code).toBe(0);
    expect(JSON.stringify(JSON.parse(chained.stdout))).toContain('pkg:npm/p@1.0.0');
  });

  it('an expired SSO session is one line saying to log in again', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    const home = join(h.dir, 'home');
    const startUrl = 'https://example.awsapps.com/start';
    // The SDK's SSO token cache: ~/.aws/sso/cache/<sha1 of the session name>.json.
    const cacheFile = join(
      home,
      '.aws/sso/cache',
      `${createHash('sha1').update('corp').digest('hex')}.json`
    );
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(
      cacheFile,
      JSON.stringify({
        accessToken: 'expired-token',
        expiresAt: '2020-01-01T00:00:00Z',
        region: 'us-east-1',
        startUrl,
      })
    );
    await profiles(
      h,
      `[profile sso]\nregion = us-east-1\nendpoint_url = ${h.endpoint.url}\n` +
        `sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Reader\n` +
        `[sso-session corp]\nsso_region = us-east-1\nsso_start_url = ${startUrl}\n`
    );
    const previousHome = process.env['HOME'];
    process.env['HOME'] = home;
    try {
      const r = await runCli(['sbom', arnOf('npm', 1), '--profile', 'sso', ...cache(h)]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/SSO session has expired or is missing: run 'aws sso login'/);
    } finally {
      process.env['HOME'] = previousHome;
    }
  });
});

describe('flags checked when parsed', () => {
  it('refuses a malformed --endpoint-url or --role-arn with exit 2 before any call', async () => {
    for (const argv of [
      ['sbom', arnOf('npm', 1), '--endpoint-url', 'localhost:4566'],
      ['sbom', arnOf('npm', 1), '--endpoint-url', 'http://user:secret@127.0.0.1:1/'],
      ['scan', '--region', 'us-east-1', '--role-arn', 'arn:aws:iam::123:role/x'],
      ['verify', '--all', '--policy', 'p.yaml', '--region', 'us-east-1', '--role-arn', 'Admin'],
      ['sbom', arnOf('npm', 1), '--read-timeout', 'soon'],
    ]) {
      const r = await runCli(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });
});

describe('an endpoint that never answers', () => {
  it('ends with exit 3 and one line once the read timeout passes', async () => {
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const port = (server.address() as { port: number }).port;
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLE';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    try {
      const started = Date.now();
      const r = await runCli([
        'sbom',
        arnOf('npm', 1),
        '--endpoint-url',
        `http://127.0.0.1:${port}`,
        '--read-timeout',
        '0.5',
        '--max-attempts',
        '1',
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/did not answer in time/);
      expect(sockets.length).toBeGreaterThan(0);
      // Bounded by the timeout, not by the test runner's.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      delete process.env['AWS_ACCESS_KEY_ID'];
      delete process.env['AWS_SECRET_ACCESS_KEY'];
    }
  });
});

describe('no credentials', () => {
  it('scan says in one line that no principal could be identified and what to do', async () => {
    h = await startAwsLocal(SBOM_ESTATE);
    await profiles(h, '');
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    try {
      const r = await runCli([
        'scan',
        '--region',
        'us-east-1',
        '--output-dir',
        h.dir + '/out',
        ...h.awsFlags,
      ]);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/no AWS principal could be identified: .*no usable AWS credentials/);
    } finally {
      delete process.env['AWS_EC2_METADATA_DISABLED'];
    }
  });
});

describe('the built CLI', () => {
  it("prints one line of its own on an unreachable endpoint, not the SDK's Node notice", () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLE';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret';
    try {
      const r = spawnCli([
        'sbom',
        arnOf('npm', 1),
        '--endpoint-url',
        'http://127.0.0.1:9',
        '--max-attempts',
        '1',
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^lamina: .*cannot reach the AWS endpoint/);
    } finally {
      delete process.env['AWS_ACCESS_KEY_ID'];
      delete process.env['AWS_SECRET_ACCESS_KEY'];
    }
  });
});
