import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STDLIB_FILES } from './stdlib-files.js';
import { gemProvides, rubyStdlibShadowFindings, stdlibFeature, stdlibFile } from './stdlib.js';

const f = (path: string) => ({ path, kind: 'file' });
const link = (path: string) => ({ path, kind: 'symlink' });

describe('stdlibFeature', () => {
  it("covers every library of this machine's Ruby (scripts/ruby-stdlib-features.rb)", () => {
    const script = join(import.meta.dirname, '../../../scripts/ruby-stdlib-features.rb');
    const r = spawnSync('ruby', [script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const features = r.stdout.trim().split('\n');
    expect(features).toContain('json');
    expect(features.length).toBeGreaterThan(100);
    expect(features.filter((x) => stdlibFeature(x) === undefined)).toEqual([]);
  });

  it('takes what lies inside a feature as its, and nothing else', () => {
    expect(stdlibFeature('json/common')).toBe('json');
    expect(stdlibFeature('net/http/response')).toBe('net/http');
    expect(stdlibFeature('enc/trans/japanese')).toBe('enc');
    // Newer Rubies' libraries this machine's 3.1 lacks.
    expect(stdlibFeature('prism/node')).toBe('prism');
    expect(stdlibFeature('bundled_gems')).toBe('bundled_gems');
    // A namespace the standard library shares with gems: net-ssh's net/ssh is not net/http.
    expect(stdlibFeature('net/ssh')).toBeUndefined();
    expect(stdlibFeature('enc')).toBeUndefined();
    expect(stdlibFeature('aws-sdk-core')).toBeUndefined();
  });
});

describe('rubyStdlibShadowFindings', () => {
  const paths = (
    entries: { path: string; kind: string }[],
    root: 'layer' | 'image' = 'layer',
    options: Parameters<typeof rubyStdlibShadowFindings>[2] = {}
  ) => rubyStdlibShadowFindings(entries, root, options).map((x) => x.path);

  it("reports a layer's RUBYLIB files and links require takes for the standard library's", () => {
    expect(
      paths([
        f('ruby/lib/json.rb'),
        f('ruby/lib/json/common.rb'),
        f('ruby/lib/net/http.rb'),
        f('ruby/lib/enc/encdb.so'),
        f('ruby/lib/monitor.so'),
        link('ruby/lib/set.rb'),
        link('ruby/lib/net'),
      ])
    ).toEqual([
      'ruby/lib/json.rb',
      'ruby/lib/json/common.rb',
      'ruby/lib/net/http.rb',
      'ruby/lib/enc/encdb.so',
      'ruby/lib/monitor.so',
      'ruby/lib/set.rb',
      'ruby/lib/net',
    ]);
  });

  it('leaves out other names, other files and directories not searched first', () => {
    expect(
      paths([
        f('ruby/lib/tinygem.rb'),
        f('ruby/lib/net/ssh.rb'),
        f('ruby/lib/json.txt'),
        f('ruby/lib/helpers/json.rb'),
        f('ruby/gems/3.2.0/gems/json-2.7.1/lib/json.rb'),
        f('var/task/json.rb'),
        f('usr/lib/ruby/3.1.0/json.rb'),
        link('ruby/lib/tinygem'),
      ])
    ).toEqual([]);
  });

  it("in an image: /opt/ruby/lib, the function's directory, var/runtime/lib, site_ruby and vendor_ruby", () => {
    const entries = [
      f('opt/ruby/lib/json.rb'),
      f('var/task/logger.rb'),
      f('var/task/vendor/bundle/ruby/3.2.0/gems/json-2.7.1/lib/json.rb'),
      f('var/runtime/lib/set.rb'),
      f('usr/local/lib/site_ruby/3.1.0/securerandom.rb'),
      f('usr/local/lib/x86_64-linux-gnu/site_ruby/openssl.so'),
      f('var/lang/lib/ruby/site_ruby/3.3.0/x86_64-linux/json/ext/parser.so'),
      f('var/lang/lib/ruby/vendor_ruby/3.3.0/time.rb'),
      f('usr/lib/ruby/vendor_ruby/rubygems.rb'),
      f('usr/lib/ruby/vendor_ruby/xmlrpc.rb'),
      // Fedora's and Amazon Linux's layout.
      f('usr/local/share/ruby/site_ruby/rubygems.rb'),
      f('usr/share/ruby/vendor_ruby/json.rb'),
      f('usr/lib64/ruby/vendor_ruby/monitor.so'),
      // The standard library's own directory, and the layer-relative RUBYLIB, are not in front.
      f('var/lang/lib/ruby/3.3.0/json.rb'),
      f('ruby/lib/json.rb'),
    ];
    // Debian's ruby-rubygems installs vendor_ruby/rubygems.rb: the OS package's file.
    const owned = (p: string) => p === 'usr/lib/ruby/vendor_ruby/rubygems.rb';
    expect(paths(entries, 'image', { taskRoot: 'var/task', owned })).toEqual([
      'opt/ruby/lib/json.rb',
      'var/task/logger.rb',
      'var/runtime/lib/set.rb',
      'usr/local/lib/site_ruby/3.1.0/securerandom.rb',
      'usr/local/lib/x86_64-linux-gnu/site_ruby/openssl.so',
      'var/lang/lib/ruby/site_ruby/3.3.0/x86_64-linux/json/ext/parser.so',
      'var/lang/lib/ruby/vendor_ruby/3.3.0/time.rb',
      'usr/local/share/ruby/site_ruby/rubygems.rb',
      'usr/share/ruby/vendor_ruby/json.rb',
      'usr/lib64/ruby/vendor_ruby/monitor.so',
    ]);
  });

  it('an owned file on RUBYLIB or in the function directory is reported all the same', () => {
    expect(paths([f('opt/ruby/lib/json.rb')], 'image', { owned: () => true })).toEqual([
      'opt/ruby/lib/json.rb',
    ]);
  });

  it('names the feature and the directory', () => {
    const [finding] = rubyStdlibShadowFindings([f('ruby/lib/json/common.rb')], 'layer');
    expect(finding?.code).toBe('STDLIB_SHADOWED');
    expect(finding?.severity).toBe('error');
    expect(finding?.message).toContain("require 'json/common' finds in ruby/lib/");
    expect(finding?.message).toContain("standard library's json,");
  });
});

describe('gemProvides', () => {
  it("knows each default gem of this machine's Ruby as the provider of its libraries", () => {
    // Each default gem's library files, as its specification lists them (under lib/ or at the
    // top; ext/ holds the extensions' build scripts).
    const script = `Gem::Specification.select(&:default_gem?).each do |s|
      s.files.each do |f|
        m = %r{\\A(?:lib/)?(?!(?:ext|exe|bin|test)/)(.+)\\.(?:rb|so)\\z}.match(f)
        puts "#{s.name} #{m[1]}" if m
      end
    end`;
    const r = spawnSync('ruby', ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const pairs = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]);
    expect(pairs).toContainEqual(['json', 'json/common']);
    const notOwned = pairs.filter(([gem, file]) => {
      const std = stdlibFeature(file);
      return std !== undefined && !gemProvides(gem, std);
    });
    expect(notOwned).toEqual([]);
  });

  it('another gem carrying a standard library feature does not provide it', () => {
    expect(gemProvides('json', 'json')).toBe(true);
    expect(gemProvides('net-http', 'net/http')).toBe(true);
    expect(gemProvides('english', 'English')).toBe(true);
    expect(gemProvides('optparse', 'optionparser')).toBe(true);
    expect(gemProvides('json_pure', 'json')).toBe(false);
    expect(gemProvides('tinygem', 'set')).toBe(false);
    expect(gemProvides('net', 'net/http')).toBe(false);
  });
});

describe('stdlibFile', () => {
  it("holds every library file of this machine's Ruby (scripts/ruby-stdlib-features.rb --all)", () => {
    const script = join(import.meta.dirname, '../../../scripts/ruby-stdlib-features.rb');
    const r = spawnSync('ruby', [script, '--all'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = r.stdout.trim().split('\n');
    expect(files).toContain('json/common');
    expect(files.filter((f) => !STDLIB_FILES.has(f))).toEqual([]);
  });

  it("takes a gem's own file in a standard library's directory as the gem's", () => {
    expect(stdlibFile('json')).toBe('json');
    expect(stdlibFile('json/common')).toBe('json');
    expect(stdlibFile('net/http/response')).toBe('net/http');
    expect(stdlibFile('enc/euc_jp')).toBe('enc');
    expect(stdlibFile('enumerator')).toBe('enumerator');
    // Ruby 3.1 ships no prism: its files are not listed, so all of them count.
    expect(stdlibFile('prism/node')).toBe('prism');
    expect(stdlibFile('json/jwt')).toBeUndefined();
    expect(stdlibFile('net/http/persistent')).toBeUndefined();
    expect(stdlibFile('digest/crc32')).toBeUndefined();
  });
});
