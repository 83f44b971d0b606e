import { describe, expect, it } from 'vitest';
import { classPathTokens, jarUrl, resolveClassPathToken } from './classpath.js';

const OPT = ['opt'];
const AT = jarUrl(OPT, 'java/lib/aaa-core-1.0.jar');
const resolve = (token: string, base = AT) => resolveClassPathToken(base, OPT, token);

describe('Class-Path tokens', () => {
  it('are split at any run of whitespace, as StringTokenizer splits them', () => {
    expect(classPathTokens(' a.jar \t b.jar\r\nc.jar\fd.jar  ')).toEqual([
      'a.jar',
      'b.jar',
      'c.jar',
      'd.jar',
    ]);
    expect(classPathTokens('   ')).toEqual([]);
  });
});

describe('resolveClassPathToken', () => {
  it('resolves against the jar URL, lexically, into a path from the layer root through /opt', () => {
    expect(AT).toBe('/opt/java/lib/aaa-core-1.0.jar');
    expect(resolve('../../share/fonts/font.dat')).toEqual({
      kind: 'path',
      token: '../../share/fonts/font.dat',
      url: '/opt/share/fonts/font.dat',
      path: '../opt/share/fonts/font.dat',
      directory: false,
    });
    expect(resolve('./x/./y.jar')).toMatchObject({ url: '/opt/java/lib/x/y.jar' });
    // Above the host's root `..` stays there; the link resolver says it is outside the layer.
    expect(resolve('../../../../../etc/x.jar')).toMatchObject({ path: '../etc/x.jar' });
    expect(resolve('../../../opt/x.jar')).toMatchObject({ path: '../opt/x.jar' });
  });

  it('percent-decodes after resolving (a %2E%2E is left to the kernel), drops a fragment, keeps a query', () => {
    expect(resolve('sp%20ace.jar')).toMatchObject({
      url: '/opt/java/lib/sp%20ace.jar',
      path: '../opt/java/lib/sp ace.jar',
    });
    expect(resolve('%2E%2E/%2e%2e/x.jar')).toMatchObject({ path: '../opt/java/lib/../../x.jar' });
    expect(resolve('fr.jar#x')).toMatchObject({ path: '../opt/java/lib/fr.jar' });
    expect(resolve('q.jar?x')).toMatchObject({ path: '../opt/java/lib/q.jar?x' });
    expect(resolve('back\\slash.jar')).toMatchObject({ path: '../opt/java/lib/back\\slash.jar' });
    expect(resolve('bad%zz.jar')).toEqual({ kind: 'undecodable', token: 'bad%zz.jar' });
  });

  it('a trailing slash names a class directory', () => {
    expect(resolve('classes/')).toMatchObject({ path: '../opt/java/lib/classes', directory: true });
    expect(resolve('..')).toMatchObject({ path: '../opt/java', directory: true });
    expect(resolve('classes')).toMatchObject({ directory: false });
  });

  it('URLs and absolute paths are not followed', () => {
    expect(resolve('file:/opt/x.jar')).toEqual({ kind: 'url', token: 'file:/opt/x.jar' });
    expect(resolve('http://example.com/x.jar').kind).toBe('url');
    expect(resolve('/opt/x.jar').kind).toBe('absolute');
    expect(resolve('//host/x.jar').kind).toBe('absolute');
  });

  it('resolves in an image root (no mount point) and against a jar named with escapes', () => {
    expect(resolveClassPathToken(jarUrl([], 'opt/java/lib/a.jar'), [], '../x.bin')).toMatchObject({
      url: '/opt/java/x.bin',
      path: 'opt/java/x.bin',
    });
    const base = jarUrl(OPT, 'java/lib/a b%/c.jar');
    expect(base).toBe('/opt/java/lib/a%20b%25/c.jar');
    expect(resolve('d.jar', base)).toMatchObject({ path: '../opt/java/lib/a b%/d.jar' });
  });
});
