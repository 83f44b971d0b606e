# Prints the libraries `require` finds in the running Ruby's standard library directories
# (rubylibdir and archdir: the default libraries and default gems), one feature a line, leaving
# out those inside another (json/common is json's): the list in src/inventory/ruby/stdlib.ts.
#   ruby scripts/ruby-stdlib-features.rb
require 'rbconfig'

dirs = [RbConfig::CONFIG['rubylibdir'], RbConfig::CONFIG['archdir']]
features = dirs.flat_map { |d| Dir.glob('**/*.{rb,so}', base: d) }
               .map { |f| f.sub(/\.(?:rb|so)\z/, '') }.uniq.sort
known = features.to_h { |f| [f, true] }
features.each do |f|
  parts = f.split('/')
  puts f unless (1...parts.size).any? { |i| known[parts[0, i].join('/')] }
end
