import { describe, expect, it } from 'vitest';
import { isRubyStartup, isSitePth } from './globs.js';

describe('isSitePth: files Python reads at start-up', () => {
  it.each([
    'var/lang/lib/python3.12/site-packages/zz.pth',
    'usr/lib64/python3.9/site-packages/zz.pth',
    'usr/lib/python3/dist-packages/zz.pth',
    'opt/venv/lib/python3.12/site-packages/zz.pth',
    'root/.local/lib/python3.12/site-packages/zz.pth',
    'usr/local/lib/python3.13t/site-packages/zz.pth',
    'var/lang/lib/python3.12/site-packages/sitecustomize.py',
    'opt/venv/lib/python3.12/site-packages/usercustomize.cpython-312-x86_64-linux-gnu.so',
    'usr/lib/python3/dist-packages/sitecustomize.pyc',
    'var/lang/bin/python3.12._pth',
    'var/runtime/sitecustomize.py',
    'usr/lib/python3.11/sitecustomize.py',
    'var/lang/lib/python3.12/usercustomize.py',
    'usr/lib64/python3.9/lib-dynload/sitecustomize.pyc',
    'opt/python/zz.pth',
  ])('in an image: %s', (path) => {
    expect(isSitePth(path, 'image')).toBe(true);
  });

  it.each([
    'var/lang/lib/python3.12/site-packages/pkg/zz.pth',
    'var/lang/lib/python3.12/site-packages/sitecustomize.txt',
    'var/lang/lib/python3.12/site-packages/pkg/sitecustomize.py',
    'usr/lib/python3.11/json/sitecustomize.py',
    'usr/lib/python3.11/zz.pth',
    'srv/data/zz.pth',
  ])('not in an image: %s', (path) => {
    expect(isSitePth(path, 'image')).toBe(false);
  });

  it("in a layer only Lambda's site directories count", () => {
    expect(isSitePth('python/zz.pth', 'layer')).toBe(true);
    expect(isSitePth('python/lib/python3.12/site-packages/zz.pth', 'layer')).toBe(true);
    expect(isSitePth('var/lang/lib/python3.12/site-packages/zz.pth', 'layer')).toBe(false);
    expect(isSitePth('x/python3.12._pth', 'layer')).toBe(false);
  });
});

describe('isRubyStartup: the hooks RubyGems requires at every start of ruby', () => {
  it.each([
    ['usr/local/lib/site_ruby/3.1.0/rubygems/defaults/operating_system.rb', true],
    ['var/lang/lib/ruby/site_ruby/3.2.0/rubygems/defaults/ruby.rb', true],
    ['usr/lib/ruby/vendor_ruby/rubygems/defaults/operating_system.rb', true],
    ['usr/lib/ruby/3.1.0/rubygems/defaults.rb', false],
    ['usr/lib/ruby/3.1.0/rubygems/defaults/other.rb', false],
  ])('%s: %s', (path, hook) => {
    expect(isRubyStartup(path, 'image')).toBe(hook);
    expect(isRubyStartup(path, 'layer')).toBe(false);
  });
});
