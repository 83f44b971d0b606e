# Prints the libraries `require` finds in the running Ruby's standard library directories
# (rubylibdir and archdir: the default libraries and default gems), one feature a line, leaving
# out those inside another (json/common is json's): STDLIB_FEATURES in
# src/inventory/ruby/stdlib.ts. With --all, every one but the encodings (enc/): STDLIB_FILES.
#   ruby scripts/ruby-stdlib-features.rb [--all]
require 'rbconfig'

dirs = [RbConfig::CONFIG['rubylibdir'], RbConfig::CONFIG['archdir']]
features = dirs.flat_map { |d| Dir.glob('**/*.{rb,so}', base: d) }
               .map { |f| f.sub(/\.(?:rb|so)\z/, '') }.uniq.sort
if ARGV.include?('--all')
  puts features.reject { |f| f.start_with?('enc/') }
  exit
end
known = features.to_h { |f| [f, true] }
features.each do |f|
  parts = f.split('/')
  puts f unless (1...parts.size).any? { |i| known[parts[0, i].join('/')] }
end
