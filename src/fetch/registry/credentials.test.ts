import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageError } from '../image/errors.js';
import {
  chainCredentials,
  defaultDockerConfigPath,
  loadDockerConfig,
  normalizeRegistryKey,
  parseDockerConfig,
} from './credentials.js';
import { registryOptions } from './options.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('registry credentials', () => {
  it('reads auths entries (auth base64 and username/password), bound to their exact host', () => {
    const store = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') },
          'registry.example.com:5000': { username: 'u', password: 'p' },
          'https://ghcr.io': { auth: b64('g:h') },
        },
      }),
      'config.json'
    );
    expect(store.get('docker.io')).toMatchObject({
      username: 'hub',
      password: 'pw:with:colons',
      explicit: false,
    });
    expect(store.get('registry-1.docker.io')?.username).toBe('hub');
    expect(store.get('registry.example.com:5000')).toMatchObject({ username: 'u', password: 'p' });
    expect(store.get('registry.example.com')).toBeUndefined();
    expect(store.get('registry.example.com:5001')).toBeUndefined();
    expect(store.get('GHCR.io')?.username).toBe('g');
  });

  it('names the credential helper that holds a host, without running it', () => {
    const store = parseDockerConfig(
      JSON.stringify({
        auths: { 'a.example': { auth: b64('a:b') } },
        credHelpers: { '123456789012.dkr.ecr.us-east-1.amazonaws.com': 'ecr-login' },
        credsStore: 'desktop',
      }),
      'config.json'
    );
    expect(store.helperFor('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBe('ecr-login');
    expect(store.helperFor('other.example')).toBe('desktop');
    expect(store.helperFor('a.example')).toBeUndefined();
    expect(store.get('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBeUndefined();
  });

  it('refuses malformed files with BAD_CREDENTIALS', async () => {
    const code = (text: string): string | undefined => {
      try {
        parseDockerConfig(text, 'f');
        return undefined;
      } catch (err) {
        return (err as ImageError).code;
      }
    };
    expect(code('{')).toBe('BAD_CREDENTIALS');
    expect(code('[]')).toBe('BAD_CREDENTIALS');
    expect(code('{"auths":[]}')).toBe('BAD_CREDENTIALS');
    expect(code(JSON.stringify({ auths: { h: { auth: b64('nocolon') } } }))).toBe(
      'BAD_CREDENTIALS'
    );
    await expect(loadDockerConfig('/nonexistent/lamina/auth.json', true)).rejects.toMatchObject({
      code: 'BAD_CREDENTIALS',
    });
    expect(
      (await loadDockerConfig('/nonexistent/lamina/config.json', false)).get('x')
    ).toBeUndefined();
  });

  it('an explicit file comes first and is marked explicit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lamina-creds-'));
    try {
      const f = join(dir, 'auth.json');
      await writeFile(f, JSON.stringify({ auths: { 'h.example': { auth: b64('explicit:1') } } }));
      const explicit = await loadDockerConfig(f, true);
      const docker = parseDockerConfig(
        JSON.stringify({
          auths: { 'h.example': { auth: b64('docker:2') }, 'd.example': { auth: b64('d:3') } },
        }),
        'c'
      );
      const chain = chainCredentials(explicit, docker);
      expect(chain.get('h.example')).toMatchObject({ username: 'explicit', explicit: true });
      expect(chain.get('d.example')).toMatchObject({ username: 'd', explicit: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('normalises keys and finds Docker config in DOCKER_CONFIG', () => {
    expect(normalizeRegistryKey('HTTPS://Reg.Example:443/v2/')).toBe('reg.example:443');
    expect(defaultDockerConfigPath({ DOCKER_CONFIG: '/x' })).toBe('/x/config.json');
  });
});

describe('registryOptions', () => {
  it('puts --registry-auth before Docker config, and only reads what it is told to', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lamina-regopts-'));
    try {
      const explicit = join(dir, 'auth.json');
      await writeFile(
        explicit,
        JSON.stringify({ auths: { 'h.example': { auth: b64('explicit:1') } } })
      );
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({
          auths: { 'h.example': { auth: b64('docker:2') }, 'd.example': { auth: b64('d:3') } },
        })
      );
      const env = { DOCKER_CONFIG: dir };
      const o = await registryOptions(
        { registryAuth: explicit, insecureRegistries: ['r.local:5000'] },
        env
      );
      expect(o.credentials?.get('h.example')?.username).toBe('explicit');
      expect(o.credentials?.get('d.example')?.username).toBe('d');
      expect(o.insecureHosts).toEqual(['r.local:5000']);
      const noDocker = await registryOptions({ dockerConfig: false }, env);
      expect(noDocker.credentials?.get('d.example')).toBeUndefined();
      await expect(
        registryOptions({ registryAuth: join(dir, 'missing.json') }, env)
      ).rejects.toMatchObject({
        code: 'BAD_CREDENTIALS',
      });
      // No Docker config at all is fine.
      expect(
        (await registryOptions({}, { DOCKER_CONFIG: join(dir, 'nowhere') })).credentials?.get('x')
      ).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
