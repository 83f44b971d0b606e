/**
 * An installed gemspec whose require_paths lead out of its gem directory: RubyGems joins them
 * to the gem's path and puts them on $LOAD_PATH, so `require "tinygem"` loads
 * /opt/share/rb/tinygem.rb, which no package owns. (With Ruby installed:
 * `GEM_PATH=<extracted>/ruby/gems/3.3.0 ruby -e 'require "tinygem"'` prints from share/rb; the
 * suite does not depend on Ruby.) The layer is built at test time and verified by the built CLI
 * against a policy asking for the inventory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeZip } from '../../../scripts/lib/zipwriter.mjs';
import type { Verdict } from '../../../src/verify/verdict.js';
import { spawnCli } from '../helpers/cli.js';
import { writeInventoryPolicy } from '../helpers/images.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-gem-paths-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICY = writeInventoryPolicy(tmp, 'layers');

const GEMS = 'ruby/gems/3.3.0';
const SPEC = `${GEMS}/specifications/tinygem-1.0.0.gemspec`;

/**
 * The gemspec `gem install` writes, with `paths` as its require paths (stub line and spec), and
 * `before` ahead of its block.
 */
const gemspec = (paths: string[], before = '') => `# -*- encoding: utf-8 -*-
# stub: tinygem 1.0.0 ruby ${paths.join('\0')}

${before}Gem::Specification.new do |s|
  s.name = "tinygem".freeze
  s.version = "1.0.0".freeze

  s.require_paths = [${paths.map((p) => `"${p}".freeze`).join(', ')}]
  s.authors = ["x".freeze]
  s.files = ["lib/tinygem.rb".freeze]
  s.licenses = ["MIT".freeze]
  s.summary = "tiny".freeze
end
`;

function layer(name: string, paths: string[], before?: string, spec?: Buffer): string {
  const zip = join(tmp, name);
  writeFileSync(
    zip,
    writeZip([
      { name: SPEC, data: spec ?? gemspec(paths, before) },
      { name: `${GEMS}/gems/tinygem-1.0.0/lib/tinygem.rb`, data: 'module Tinygem; end\n' },
      { name: 'share/rb/tinygem.rb', data: 'puts "PWNED from #{__FILE__}"\n' },
    ])
  );
  return zip;
}

function verify(zip: string) {
  const r = spawnCli([
    ...['verify', zip, '--layer-name', 'platform-x', '--format', 'json'],
    ...['--policy', POLICY],
  ]);
  const checks = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!.checks;
  return { code: r.code, complete: checks.find((c) => c.id === 'inventory:complete') };
}

describe('a gem whose require_paths lead out of its directory', () => {
  it('lamina verify with an inventory policy fails inventory:complete, naming the gemspec', () => {
    const v = verify(layer('out.zip', ['../../../../../share/rb']));
    expect(v.code).toBe(1);
    expect(v.complete?.outcome).toBe('fail');
    expect(v.complete?.detail).toContain(`PATH_TRAVERSAL ${SPEC}`);
  });

  it('the control: require_paths ["lib"] leaves the inventory complete', () => {
    const v = verify(layer('lib.zip', ['lib']));
    expect(v.complete?.outcome).toBe('pass');
    expect(v.code).toBe(0);
  });
});

/**
 * RubyGems evaluates the whole installed gemspec when it activates the gem (with Ruby:
 * `GEM_PATH=<extracted>/ruby/gems/3.3.0 ruby -e 'require "tinygem"'` runs share/rb/tinygem.rb).
 */
describe('a gemspec holding code RubyGems did not write', () => {
  it('lamina verify with an inventory policy fails inventory:complete, naming the gemspec', () => {
    const v = verify(
      layer(
        'eval.zip',
        ['lib'],
        'load File.expand_path("../../../../share/rb/tinygem.rb", __dir__)\n'
      )
    );
    expect(v.code).toBe(1);
    expect(v.complete?.outcome).toBe('fail');
    expect(v.complete?.detail).toContain(`AMBIGUOUS_METADATA ${SPEC}`);
  });
});

/**
 * A gemspec in Shift_JIS (with Ruby: `require "tinygem"` prints PWNED): Ruby reads 0x95 0x5C as
 * one character, so the quote after it ends the summary and `system` runs; as UTF-8 the summary
 * is one literal.
 */
describe('a gemspec whose encoding comment names another encoding than UTF-8', () => {
  const sjis = (head: string) =>
    Buffer.concat([
      Buffer.from(
        gemspec(['lib']).replace('# -*- encoding: utf-8 -*-\n', head).split('  s.summary')[0]!
      ),
      Buffer.from('  s.summary = "A'),
      Buffer.from([0x95]),
      Buffer.from('\\"; system(\'echo PWNED\') #"\nend\n'),
    ]);

  it('lamina verify with an inventory policy fails inventory:complete, naming the gemspec', () => {
    const v = verify(
      layer('sjis.zip', ['lib'], undefined, sjis('# -*- encoding: Shift_JIS -*-\n'))
    );
    expect(v.code).toBe(1);
    expect(v.complete?.outcome).toBe('fail');
    expect(v.complete?.detail).toContain(`AMBIGUOUS_METADATA ${SPEC}`);
  });
});

/**
 * RubyGems names a gem's directory from the version and platform it parses, normalised: a spec
 * saying version "1.0.0-1" is tinygem 1.0.0.pre.1, loaded from gems/tinygem-1.0.0.pre.1, and
 * RubyGems 3.3 loads one saying platform x86_64-linux-gnu from gems/tinygem-1.0.0-x86_64-linux
 * (with Ruby: `require "tinygem"` prints PWNED from share/rb through a link there, while the
 * directory the spec spells holds the innocent tinygem.rb).
 */
describe('a gem directory RubyGems derives otherwise than the gemspec spells it', () => {
  const spelled = (version: string, platform: string, loaded: string): string => {
    const zip = join(tmp, `${loaded}.zip`);
    const spec = gemspec(['lib'])
      .replaceAll('1.0.0', version)
      .replace(' ruby lib', ` ${platform} lib`)
      .replace(
        '  s.require_paths',
        platform === 'ruby'
          ? '  s.require_paths'
          : `  s.platform = "${platform}".freeze\n  s.require_paths`
      );
    const full = platform === 'ruby' ? `tinygem-${version}` : `tinygem-${version}-${platform}`;
    writeFileSync(
      zip,
      writeZip([
        { name: `${GEMS}/specifications/${full}.gemspec`, data: spec },
        { name: `${GEMS}/gems/${full}/lib/tinygem.rb`, data: 'module Tinygem; end\n' },
        { name: `${GEMS}/gems/${loaded}/lib`, symlink: '../../../../../share/rb' },
        { name: 'share/rb/tinygem.rb', data: 'puts "PWNED from #{__FILE__}"\n' },
      ])
    );
    return zip;
  };

  it('a version RubyGems reads otherwise: its directory is the one checked', () => {
    const v = verify(spelled('1.0.0-1', 'ruby', 'tinygem-1.0.0.pre.1'));
    expect(v.code).toBe(1);
    expect(v.complete?.detail).toContain(
      `PATH_TRAVERSAL ${GEMS}/specifications/tinygem-1.0.0-1.gemspec`
    );
  });

  it('a platform RubyGems may read otherwise: the directory no gemspec names is an error', () => {
    const v = verify(spelled('1.0.0', 'x86_64-linux-gnu', 'tinygem-1.0.0-x86_64-linux'));
    expect(v.code).toBe(1);
    expect(v.complete?.detail).toContain(
      `AMBIGUOUS_METADATA ${GEMS}/gems/tinygem-1.0.0-x86_64-linux`
    );
  });
});

/**
 * A link in a gem's directory, or its extension directory, leading out of it: with Ruby,
 * `require "tinygem"; require "evil/x"` prints PWNED from share/rb, and so does `require "x"`
 * through the extension directory, which RubyGems puts on $LOAD_PATH when the gemspec lists
 * `extensions` and the directory holds gem.build_complete (lamina checks it either way).
 */
describe('a link inside a gem leading out of it', () => {
  const linked = (name: string, link: string, target: string): string => {
    const zip = join(tmp, name);
    writeFileSync(
      zip,
      writeZip([
        { name: SPEC, data: gemspec(['lib']) },
        { name: `${GEMS}/gems/tinygem-1.0.0/lib/tinygem.rb`, data: 'module Tinygem; end\n' },
        { name: link, symlink: target },
        { name: 'share/rb/gem.build_complete', data: '' },
        { name: 'share/rb/x.rb', data: 'puts "PWNED from #{__FILE__}"\n' },
      ])
    );
    return zip;
  };

  it.each([
    [`${GEMS}/gems/tinygem-1.0.0/lib/evil`, '../../../../../../share/rb'],
    [`${GEMS}/extensions/x86_64-linux/3.3.0/tinygem-1.0.0`, '../../../../../../share/rb'],
  ])('%s: inventory:complete fails, naming the link', (link, target) => {
    const v = verify(linked(`${link.split('/').length}.zip`, link, target));
    expect(v.code).toBe(1);
    expect(v.complete?.detail).toContain(`PATH_TRAVERSAL ${link}`);
  });
});
