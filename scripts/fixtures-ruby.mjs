// Builds testdata/layers/ruby-basic from gems Debian installs on this machine
// (`apt-get install ruby-json ruby-rack`; typeprof, rbs, test-unit and
// power_assert come with Debian's ruby3.1). Only the generated gemspecs and a
// few small files per gem are copied; the layout is a Lambda Ruby layer's
// `ruby/gems/<abi>/{specifications,gems,extensions,bin}`.
//
// Usage: node scripts/fixtures-ruby.mjs
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'testdata/layers/ruby-basic/ruby/gems/3.2.0');

const RUBY = '/usr/lib/ruby/gems/3.1.0';
const INTEGRATION_ARCH = '/usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0';
const INTEGRATION_ALL = '/usr/share/rubygems-integration/all';

/** gem full name → [source gems dir, files under gems/<full name>/ to keep]. */
const GEMS = {
  'json-2.6.3': [INTEGRATION_ARCH, ['VERSION', 'lib/json.rb', 'lib/json/version.rb']],
  'rack-2.2.22': [INTEGRATION_ALL, ['bin/rackup', 'lib/rack/version.rb']],
  'typeprof-0.21.2': [RUBY, ['LICENSE', 'lib/typeprof.rb', 'lib/typeprof/version.rb']],
  'rbs-2.1.0': [RUBY, ['BSDL', 'lib/rbs/version.rb']],
  'test-unit-3.5.3': [RUBY, ['PSFL', 'lib/test-unit.rb', 'lib/test/unit/version.rb']],
  'power_assert-2.0.1': [RUBY, ['BSDL', 'lib/power_assert/version.rb']],
};

function copy(src, dst, mode) {
  if (!existsSync(src)) throw new Error(`missing ${src}: install ruby-json ruby-rack first`);
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  chmodSync(dst, mode ?? 0o644);
}

rmSync(join(root, 'testdata/layers/ruby-basic'), { recursive: true, force: true });
for (const [full, [from, files]] of Object.entries(GEMS)) {
  copy(
    join(from, 'specifications', `${full}.gemspec`),
    join(out, 'specifications', `${full}.gemspec`)
  );
  for (const f of files) copy(join(from, 'gems', full, f), join(out, 'gems', full, f));
}
// json has a compiled extension; keep its build marker, not the .so files.
copy(
  join(INTEGRATION_ARCH, 'extensions/x86_64-linux/3.1.0/json-2.6.3/gem.build_complete'),
  join(out, 'extensions/x86_64-linux/3.2.0/json-2.6.3/gem.build_complete')
);
// RubyGems' wrapper for rack's executable (Debian installs it as /usr/bin/rackup).
copy('/usr/bin/rackup', join(out, 'bin/rackup'), 0o755);
console.log(`wrote ${out}`);
