import { describe, expect, it } from 'vitest';
import { scanOpensslConfig } from './openssl.js';

describe('scanOpensslConfig', () => {
  it("finds providers' modules, engines' dynamic paths and includes as OpenSSL's parser reads them", () => {
    const text = [
      'openssl_conf = openssl_init',
      '.include /etc/crypto-policies/back-ends/opensslcnf.config',
      '.include = "/etc/ssl/conf.d"',
      '[provider_sect]',
      'fonts = fonts_sect',
      '[fonts_sect]',
      'module = /usr/share/misc/fonts.dat # a provider',
      'activate = 1',
      '[engine_sect]',
      'dynamic_path = "/usr/lib/engines/e.so"',
      'fonts_sect.MODULE = /x/y#z.so',
      'mod\\',
      'ule = /usr/share/misc/continued.so',
      '# module = /commented.so',
      'module = $ENV::HOME/p.so',
      '.include ${dir}/x.cnf',
    ].join('\n');
    expect(scanOpensslConfig(text)).toEqual({
      loads: [
        '/usr/share/misc/fonts.dat',
        '/usr/lib/engines/e.so',
        '/x/y',
        '/usr/share/misc/continued.so',
      ],
      includes: ['/etc/crypto-policies/back-ends/opensslcnf.config', '/etc/ssl/conf.d'],
      unresolved: ['$ENV::HOME/p.so', '${dir}/x.cnf'],
    });
  });

  it('reads escapes and continuations as OpenSSL does: an escaped # is no comment, an escaped \\ no continuation', () => {
    const text = [
      'module = /usr/share/misc/a\\#b.dat',
      'x = a\\\\',
      'module = /usr/share/misc/next.so',
      'y = b\\',
      'module = /not-a-directive.so',
    ].join('\n');
    expect(scanOpensslConfig(text).loads).toEqual([
      '/usr/share/misc/a#b.dat',
      '/usr/share/misc/next.so',
    ]);
  });

  it('a configuration with nothing to load loads nothing', () => {
    expect(scanOpensslConfig('[req]\ndefault_bits = 2048\nmodules = x\n')).toEqual({
      loads: [],
      includes: [],
      unresolved: [],
    });
  });
});
