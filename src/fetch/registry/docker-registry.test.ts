// The image resolver against the real registry (Debian's docker-registry,
// distribution 2.8): Basic auth with htpasswd, Bearer with token auth (the
// registry verifies our token service's JWTs), ECR-style Basic with a token
// from the real AWS SDK client, skopeo as an independent pusher and reader,
// and the same Alpine image through layout, registry and docker-archive.
// Each registry is started once for the file.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushLayout, readLayout, REF_NAME, tarDirectory } from '../../../scripts/lib/ociwriter.mjs';

import { ContentCache } from '../cache.js';
import type { ResolvedImage } from '../image/handle.js';
import { parsePlatform } from '../image/platform.js';
import { resolveImage, type ResolveOptions } from '../image/resolve.js';
import { listTarMembers } from '../image/testing/tar-members.js';
import {
  chainCredentials,
  loadDockerConfig,
  parseDockerConfig,
  type CredentialStore,
} from './credentials.js';
import { ecrTokenProvider } from './ecr.js';
import { startDockerRegistry, type RunningRegistry } from './testing/docker-registry.js';
import { codeOfAsync } from '../image/testing/expect-code.js';
import {
  ALPINE_DIFF_ID,
  ALPINE_LAYOUT,
  ALPINE_MANIFEST,
  MULTI_LAYOUT,
} from '../image/testing/fixtures.js';

const ECR_PASSWORD = 'ecr-token-password-for-tests';
const FAST = { attempts: 3, baseMs: 5, capMs: 20 };

let basic: RunningRegistry;
let bearer: RunningRegistry;
let ecr: {
  server: Server;
  url: string;
  calls: { target: string | undefined; region: string | undefined }[];
};
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lamina-real-registry-'));
  [basic, bearer] = await Promise.all([
    startDockerRegistry({ kind: 'htpasswd', users: { alice: 'wonderland', AWS: ECR_PASSWORD } }),
    startDockerRegistry({ kind: 'token', users: { bob: 'builder' } }),
  ]);
  await pushLayout(ALPINE_LAYOUT, 'v2', basic.url, 'lamina/alpine', 'v2', {
    headers: basic.pushHeaders('lamina/alpine'),
  });
  await pushLayout(MULTI_LAYOUT, 'multi', basic.url, 'lamina/multi', 'multi', {
    headers: basic.pushHeaders('lamina/multi'),
  });
  await pushLayout(ALPINE_LAYOUT, 'v2', bearer.url, 'lamina/alpine', 'v2', {
    headers: bearer.pushHeaders('lamina/alpine'),
  });
  // A minimal ECR control plane for GetAuthorizationToken (awsJson1.1), for the real SDK client.
  const calls: { target: string | undefined; region: string | undefined }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\/ecr\//.exec(
        req.headers.authorization ?? ''
      )?.[1];
      const target = req.headers['x-amz-target'] as string | undefined;
      calls.push({ target, region });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          authorizationData: [
            {
              authorizationToken: Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64'),
              expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
              proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
            },
          ],
        })
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ecr = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
});

afterAll(async () => {
  await Promise.all([basic?.stop(), bearer?.stop()]);
  ecr?.server.close();
  await rm(tmp, { recursive: true, force: true });
});

const auths = (host: string, user: string, password: string): CredentialStore =>
  parseDockerConfig(
    JSON.stringify({
      auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
    }),
    'config.json'
  );

function opts(credentials?: CredentialStore, extra: ResolveOptions = {}): ResolveOptions {
  return {
    ...extra,
    registry: { retry: FAST, ...(credentials ? { credentials } : {}), ...extra.registry },
  };
}

/** What must be the same whichever way the image was read. */
function identity(i: ResolvedImage) {
  return {
    configDigest: i.configDigest,
    config: i.configBytes.toString('base64'),
    platform: i.platform,
    diffIds: i.layers.map((l) => l.diffId),
  };
}

describe('real registry: Basic (htpasswd)', () => {
  it('pulls and spools the Alpine vector with Docker-style credentials', async () => {
    const h = await resolveImage(
      `${basic.host}/lamina/alpine:v2`,
      opts(auths(basic.host, 'alice', 'wonderland'))
    );
    expect(h.image.manifestDigest).toBe(ALPINE_MANIFEST);
    expect(h.image.registry).toEqual({ host: basic.host, repository: 'lamina/alpine' });
    const cache = new ContentCache(join(tmp, 'basic-cache'), 'tar');
    const [s] = await h.spoolLayers(cache);
    await h.close();
    expect(s!.cached).toBe(false);
  });

  it('refuses without credentials and with wrong ones', async () => {
    expect(await codeOfAsync(resolveImage(`${basic.host}/lamina/alpine:v2`, opts()))).toBe(
      'AUTH_REQUIRED'
    );
    expect(
      await codeOfAsync(
        resolveImage(`${basic.host}/lamina/alpine:v2`, opts(auths(basic.host, 'alice', 'nope')))
      )
    ).toBe('AUTH_FAILED');
  });

  it('reads credentials from a --registry-auth file before Docker config', async () => {
    const file = join(tmp, 'auth.json');
    await writeFile(
      file,
      JSON.stringify({ auths: { [basic.host]: { username: 'alice', password: 'wonderland' } } })
    );
    const store = chainCredentials(
      await loadDockerConfig(file, true),
      auths(basic.host, 'alice', 'wrong')
    );
    const h = await resolveImage(`${basic.host}/lamina/alpine@${ALPINE_MANIFEST}`, opts(store));
    expect(h.image.manifestDigest).toBe(ALPINE_MANIFEST);
    await h.close();
  });

  it('selects platforms from a pushed index', async () => {
    const creds = auths(basic.host, 'alice', 'wonderland');
    const layoutIndex = readLayout(MULTI_LAYOUT).index.manifests.find(
      (m) => m.annotations?.[REF_NAME] === 'multi'
    )!;
    const amd = await resolveImage(`${basic.host}/lamina/multi:multi`, opts(creds));
    expect(amd.image.indexDigest).toBe(layoutIndex.digest);
    expect(amd.image.platform.architecture).toBe('amd64');
    await amd.close();
    const arm = await resolveImage(
      `${basic.host}/lamina/multi:multi`,
      opts(creds, { platform: parsePlatform('linux/arm64/v8') })
    );
    expect(arm.image.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    await arm.close();
    const err = await resolveImage(
      `${basic.host}/lamina/multi:multi`,
      opts(creds, { platform: parsePlatform('windows/amd64') })
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLATFORM_NOT_FOUND', exitCode: 2 });
  });
});

describe('real registry: Bearer (token auth)', () => {
  it('gets a token with the credentials and pulls', async () => {
    const before = bearer.token!.requests.length;
    const h = await resolveImage(
      `${bearer.host}/lamina/alpine:v2`,
      opts(auths(bearer.host, 'bob', 'builder'))
    );
    expect(h.image.manifestDigest).toBe(ALPINE_MANIFEST);
    await h.spoolLayers(new ContentCache(join(tmp, 'bearer-cache'), 'tar'));
    await h.close();
    const seen = bearer.token!.requests.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]).toMatchObject({
      authorization: `Basic ${Buffer.from('bob:builder').toString('base64')}`,
      service: 'lamina-test-registry',
      scopes: ['repository:lamina/alpine:pull'],
      status: 200,
    });
  });

  it('refuses without credentials (anonymous token grants nothing) and with wrong ones', async () => {
    expect(await codeOfAsync(resolveImage(`${bearer.host}/lamina/alpine:v2`, opts()))).toBe(
      'AUTH_REQUIRED'
    );
    expect(
      await codeOfAsync(
        resolveImage(`${bearer.host}/lamina/alpine:v2`, opts(auths(bearer.host, 'bob', 'x')))
      )
    ).toBe('AUTH_FAILED');
  });
});

describe('real registry: ECR-style Basic from GetAuthorizationToken', () => {
  it('asks the registry Region for a token through the AWS SDK and reuses it', async () => {
    const clients: string[] = [];
    const provider = ecrTokenProvider((region) => {
      clients.push(region);
      return new ECRClient({
        region,
        endpoint: ecr.url,
        credentials: { accessKeyId: 'AKIDLAMINATEST000000', secretAccessKey: 'secret' },
        maxAttempts: 1,
      });
    });
    const registry = {
      retry: FAST,
      ecrToken: provider,
      ecrRegistry: (host: string) =>
        host === basic.host ? { host, accountId: '123456789012', region: 'eu-west-1' } : undefined,
    };
    for (let i = 0; i < 2; i++) {
      const h = await resolveImage(`${basic.host}/lamina/alpine:v2`, { registry });
      expect(h.image.manifestDigest).toBe(ALPINE_MANIFEST);
      await h.close();
    }
    expect(ecr.calls).toEqual([
      { target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', region: 'eu-west-1' },
    ]);
    expect(clients).toEqual(['eu-west-1']);
  });
});

describe('real tools agree', () => {
  it('an image skopeo pushed resolves to the same digests; skopeo reads our pushed index', async () => {
    execFileSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--preserve-digests',
        '--dest-tls-verify=false',
        '--dest-creds',
        'alice:wonderland',
        `oci:${ALPINE_LAYOUT}:v2`,
        `docker://${basic.host}/skopeo/alpine:v2`,
      ],
      { stdio: 'pipe' }
    );
    const h = await resolveImage(
      `${basic.host}/skopeo/alpine:v2`,
      opts(auths(basic.host, 'alice', 'wonderland'))
    );
    expect(h.image.manifestDigest).toBe(ALPINE_MANIFEST);
    await h.close();
    const raw = execFileSync('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      'alice:wonderland',
      `docker://${basic.host}/lamina/multi:multi`,
    ]);
    const { index, blob } = readLayout(MULTI_LAYOUT);
    const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === 'multi')!;
    expect(raw.equals(blob(entry.digest))).toBe(true);
  });

  it('the Alpine image is the same through the layout, the registry and docker-archive', async () => {
    const cache = new ContentCache(join(tmp, 'same-cache'), 'tar');
    const archive = join(tmp, 'alpine-export.tar');
    await writeFile(archive, tarDirectory(ALPINE_LAYOUT));
    const inputs = [
      `oci:${ALPINE_LAYOUT}:v2`,
      `${basic.host}/lamina/alpine:v2`,
      `${bearer.host}/lamina/alpine@${ALPINE_MANIFEST}`,
      `docker-archive:${archive}`,
    ];
    const results = [];
    for (const input of inputs) {
      const creds = chainCredentials(
        auths(basic.host, 'alice', 'wonderland'),
        auths(bearer.host, 'bob', 'builder')
      );
      const h = await resolveImage(input, { ...opts(creds), archiveIndexer: listTarMembers });
      const spooled = await h.spoolLayers(cache);
      results.push({ image: h.image, paths: spooled.map((s) => s.path) });
      await h.close();
    }
    const [layout, ...others] = results;
    for (const r of others) {
      expect(identity(r.image)).toEqual(identity(layout!.image));
      expect(r.paths).toEqual(layout!.paths);
      expect(r.image.layers.map((l) => [l.digest, l.size])).toEqual(
        layout!.image.layers.map((l) => [l.digest, l.size])
      );
    }
    // Layout and registry share the manifest; the archive has none.
    expect(results.map((r) => r.image.manifestDigest)).toEqual([
      ALPINE_MANIFEST,
      ALPINE_MANIFEST,
      ALPINE_MANIFEST,
      undefined,
    ]);
    expect(identity(layout!.image).diffIds).toEqual([ALPINE_DIFF_ID]);
    expect((await readFile(layout!.paths[0]!)).length).toBeGreaterThan(0);
  });
});
