import { describe, expect, it } from 'vitest';
import { integrityHashes, parseLockfile } from './lockfile.js';
import { projectRoot, resolvePackageDir } from './resolve.js';

describe('integrityHashes', () => {
  it('decodes sha512 and sha1 SRI digests to hex and drops malformed ones', () => {
    const sha1 = Buffer.alloc(20, 1).toString('base64');
    const sha512 = Buffer.alloc(64, 2).toString('base64');
    expect(integrityHashes(`sha512-${sha512} sha1-${sha1}`)).toEqual({
      'SHA-512': '02'.repeat(64),
      'SHA-1': '01'.repeat(20),
    });
    expect(integrityHashes('sha512-AAAA')).toEqual({});
    expect(integrityHashes('md5-AAAAAAAAAAAAAAAAAAAAAA==')).toEqual({});
  });
});

describe('parseLockfile', () => {
  it('reads the v1 nested dependencies tree into install paths', () => {
    const lock = parseLockfile(
      JSON.stringify({
        lockfileVersion: 1,
        dependencies: {
          debug: {
            version: '2.6.9',
            integrity: 'sha1-x',
            requires: { ms: '2.0.0' },
            dependencies: { ms: { version: '2.0.0' } },
          },
        },
      })
    );
    expect([...lock.keys()]).toEqual(['node_modules/debug', 'node_modules/debug/node_modules/ms']);
    expect(lock.get('node_modules/debug')?.dependencies).toEqual(['ms']);
  });

  it('skips links and rejects non-objects', () => {
    const lock = parseLockfile(
      JSON.stringify({ packages: { 'node_modules/w': { link: true, resolved: 'w' } } })
    );
    expect(lock.size).toBe(0);
    expect(() => parseLockfile('[]')).toThrow();
  });
});

describe('resolvePackageDir', () => {
  const installed = new Set([
    'nodejs/node_modules/ms',
    'nodejs/node_modules/debug',
    'nodejs/node_modules/debug/node_modules/ms',
    'nodejs/node20/node_modules/chalk',
    'node_modules/top',
  ]);
  it('prefers the nearest node_modules and walks up past node20 to nodejs', () => {
    expect(resolvePackageDir('nodejs/node_modules/debug', 'ms', installed)).toBe(
      'nodejs/node_modules/debug/node_modules/ms'
    );
    expect(resolvePackageDir('nodejs/node_modules/debug/node_modules/ms', 'debug', installed)).toBe(
      'nodejs/node_modules/debug'
    );
    expect(resolvePackageDir('nodejs/node20/node_modules/chalk', 'ms', installed)).toBe(
      'nodejs/node_modules/ms'
    );
    expect(resolvePackageDir('nodejs/node_modules/ms', 'top', installed)).toBe('node_modules/top');
    expect(resolvePackageDir('nodejs/node_modules/ms', 'nope', installed)).toBeUndefined();
  });

  it('finds the project root holding the outermost node_modules', () => {
    expect(projectRoot('nodejs/node_modules/a/node_modules/@s/b')).toEqual({
      root: 'nodejs',
      key: 'node_modules/a/node_modules/@s/b',
    });
    expect(projectRoot('node_modules/a')).toEqual({ root: '', key: 'node_modules/a' });
  });
});
