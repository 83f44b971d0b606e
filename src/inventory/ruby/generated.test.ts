import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notGenerated } from './generated.js';

const FIXTURE = join(import.meta.dirname, '../../../testdata/layers/ruby-basic/ruby/gems/3.2.0');

/** A gemspec as `to_ruby` writes it, with `body` in its block. */
const spec = (body: string, head = '# -*- encoding: utf-8 -*-\n# stub: x 1.0 ruby lib\n\n') =>
  `${head}Gem::Specification.new do |s|\n  s.name = "x".freeze\n  s.version = "1.0"\n${body}end\n`;

describe('notGenerated', () => {
  it('accepts every gemspec of the fixtures (RubyGems 3.3 and Debian)', () => {
    const dir = join(FIXTURE, 'specifications');
    const files = readdirSync(dir).filter((f) => f.endsWith('.gemspec'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files)
      expect(notGenerated(readFileSync(join(dir, f), 'utf8')), f).toBeUndefined();
  });

  it.each([
    [
      'RubyGems 3.5 (no respond_to? around dependencies, a platform, metadata, CRLF)',
      spec(
        '  s.platform = "x86_64-linux".freeze\r\n' +
          '  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=\r\n' +
          '  s.metadata = { "a" => "b", "c" => "d\\u00E9\\#{x}" } if s.respond_to? :metadata=\r\n' +
          '  s.require_paths = ["lib".freeze]\r\n  s.cert_chain = ["-----BEGIN\\n".freeze]\r\n' +
          '  s.required_ruby_version = Gem::Requirement.new([">= 2.7".freeze, "< 4".freeze])\r\n' +
          '  s.installed_by_version = "3.5.3".freeze if s.respond_to? :installed_by_version\r\n\r\n' +
          '  s.specification_version = 4\r\n\r\n' +
          '  s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4".freeze])\r\n'
      ),
    ],
    [
      'RubyGems 2.x (the 1.2.0 check, else branches, an empty one)',
      spec(`  s.date = "2015-03-11"
  s.platform = Gem::Platform.new(["x86_64", "linux", nil])
  s.has_rdoc = true
  if s.respond_to? :specification_version then
    s.specification_version = 4

    if Gem::Version.new(Gem::VERSION) >= Gem::Version.new('1.2.0') then
      s.add_development_dependency(%q<rake>.freeze, ["~> 10.0"])
    else
      s.add_dependency(%q<rake>, [">= 0", "< 11"])
    end
  else
  end
`),
    ],
    [
      'RubyGems 1.3 (%q strings across lines, the old constants)',
      spec(
        `  s.date = %q{2009-10-21}
  s.description = %q{one
two}
  if s.respond_to? :specification_version then
    current_version = Gem::Specification::CURRENT_SPECIFICATION_VERSION
    s.specification_version = 3

    if Gem::Version.new(Gem::RubyGemsVersion) >= Gem::Version.new('1.2.0') then
      s.add_runtime_dependency(%q<rack>, [">= 1.0"])
    end
  end
`,
        '# -*- encoding: utf-8 -*-\n\n'
      ),
    ],
  ])('accepts %s', (_what, text) => {
    expect(notGenerated(text)).toBeUndefined();
  });

  it.each([
    ['a load before the block', `load File.expand_path("../hook.rb", __dir__)\n${spec('')}`, 1],
    ['a backtick', spec('  s.summary = `id`\n'), 7],
    ['an interpolation', spec('  s.summary = "#{system("id")}"\n'), 7],
    ['a call on the spec', spec('  s.send(:system, "id")\n'), 7],
    ['instance_eval', spec('  s.instance_eval "system(%q{id})"\n'), 7],
    ['a bare call', spec('  system("id")\n'), 7],
    ['Kernel#open in a value', spec('  s.files = open("|id").read\n'), 7],
    ['a value that is a call', spec('  s.files = Dir["lib/**/*"]\n'), 7],
    ['two statements on a line', spec('  s.summary = "a".freeze; require "x"\n'), 7],
    ['code after the block', `${spec('')}require "x"\n`, 8],
    ['an =begin block', spec('=begin\nx\n=end\n'), 7],
    ['a heredoc', spec('  s.summary = <<-EOS\n  x\n  EOS\n'), 7],
    ['a method call as a condition', spec('  if system("id") then\n  end\n'), 7],
    ['a method chained on a value', spec('  s.summary = "x".freeze.tap { |x| x }\n'), 7],
  ])('refuses %s', (_what, text, line) => {
    expect(notGenerated(text)?.line).toBe(line);
  });

  // Read as Ruby reads it in Shift_JIS, 0x95 0x5C is one character and the quote after it ends
  // the string, so `system` runs; read as UTF-8 the line is one literal.
  const sjisSummary = Buffer.concat([
    Buffer.from('  s.summary = "A'),
    Buffer.from([0x95]),
    Buffer.from('\\"; system(\'echo PWNED\') #"\n'),
  ]).toString('utf8');
  it.each([
    [
      'an emacs encoding comment naming Shift_JIS',
      spec(sjisSummary, '# -*- encoding: Shift_JIS -*-\n'),
      1,
    ],
    ['a plain one naming GBK', spec(sjisSummary, '# encoding: GBK\n'), 1],
    ['one naming EUC-JP, any case', spec(sjisSummary, '# -*- CODING: EUC-JP -*-\n'), 1],
    ['a vim one', spec(sjisSummary, '# vim: set fileencoding=cp932 :\n'), 1],
    ['one on the second line', spec(sjisSummary, '# stubbish\n# -*- coding: cp932 -*-\n'), 2],
    ['one after a shebang', spec('', '#!/usr/bin/env ruby\n# coding=sjis\n'), 2],
    ['bytes that are not UTF-8', spec(sjisSummary), 7],
  ])('refuses %s', (_what, text, line) => {
    expect(notGenerated(text)?.line).toBe(line);
  });

  it.each([
    ['# encoding: UTF-8\n'],
    ['# -*- coding: utf-8 -*-\n# stub: x 1.0 ruby lib\n'],
    ['# vim: set fileencoding=utf-8 :\n'],
  ])('accepts the encoding comment %j', (head) => {
    expect(notGenerated(spec('  s.summary = "caf\u00e9 \u65e5".freeze\n', head))).toBeUndefined();
  });
});
