/**
 * Every library file of Ruby 3.1's standard library but the encodings, as `require` names it:
 * what `scripts/ruby-stdlib-features.rb --all` prints (`stdlib.test.ts` checks it against the
 * local ruby), one namespace a line. For a gem, where a file of its own may sit in a standard
 * library's directory (json-jwt's `json/jwt`), only these are the standard library's.
 */
export const STDLIB_FILES: ReadonlySet<string> = new Set(
  `
English
abbrev
base64
benchmark benchmark/version
bigdecimal bigdecimal/jacobian bigdecimal/ludcmp bigdecimal/math bigdecimal/newton bigdecimal/util
bundler bundler/build_metadata bundler/capistrano bundler/cli bundler/cli/add bundler/cli/binstubs
bundler/cli/cache bundler/cli/check bundler/cli/clean bundler/cli/common bundler/cli/config
bundler/cli/console bundler/cli/doctor bundler/cli/exec bundler/cli/fund bundler/cli/gem
bundler/cli/info bundler/cli/init bundler/cli/inject bundler/cli/install bundler/cli/issue
bundler/cli/list bundler/cli/lock bundler/cli/open bundler/cli/outdated bundler/cli/platform
bundler/cli/plugin bundler/cli/pristine bundler/cli/remove bundler/cli/show bundler/cli/update
bundler/cli/viz bundler/compact_index_client bundler/compact_index_client/cache
bundler/compact_index_client/gem_parser bundler/compact_index_client/updater bundler/constants
bundler/current_ruby bundler/definition bundler/dep_proxy bundler/dependency bundler/deployment
bundler/deprecate bundler/digest bundler/dsl bundler/endpoint_specification bundler/env
bundler/environment_preserver bundler/errors bundler/feature_flag bundler/fetcher
bundler/fetcher/base bundler/fetcher/compact_index bundler/fetcher/dependency
bundler/fetcher/downloader bundler/fetcher/index bundler/friendly_errors bundler/gem_helper
bundler/gem_helpers bundler/gem_tasks bundler/gem_version_promoter bundler/graph bundler/index
bundler/injector bundler/inline bundler/installer bundler/installer/gem_installer
bundler/installer/parallel_installer bundler/installer/standalone bundler/lazy_specification
bundler/lockfile_generator bundler/lockfile_parser bundler/match_platform bundler/mirror
bundler/plugin bundler/plugin/api bundler/plugin/api/source bundler/plugin/dsl
bundler/plugin/events bundler/plugin/index bundler/plugin/installer bundler/plugin/installer/git
bundler/plugin/installer/rubygems bundler/plugin/source_list bundler/process_lock
bundler/remote_specification bundler/resolver bundler/resolver/spec_group bundler/retry
bundler/ruby_dsl bundler/ruby_version bundler/rubygems_ext bundler/rubygems_gem_installer
bundler/rubygems_integration bundler/runtime bundler/self_manager bundler/settings
bundler/settings/validator bundler/setup bundler/shared_helpers bundler/similarity_detector
bundler/source bundler/source/gemspec bundler/source/git bundler/source/git/git_proxy
bundler/source/metadata bundler/source/path bundler/source/path/installer bundler/source/rubygems
bundler/source/rubygems/remote bundler/source/rubygems_aggregate bundler/source_list
bundler/source_map bundler/spec_set bundler/stub_specification bundler/templates/gems bundler/ui
bundler/ui/rg_proxy bundler/ui/shell bundler/ui/silent bundler/uri_credentials_filter
bundler/vendor/connection_pool/lib/connection_pool
bundler/vendor/connection_pool/lib/connection_pool/timed_stack
bundler/vendor/connection_pool/lib/connection_pool/version
bundler/vendor/connection_pool/lib/connection_pool/wrapper bundler/vendor/fileutils/lib/fileutils
bundler/vendor/molinillo/lib/molinillo
bundler/vendor/molinillo/lib/molinillo/delegates/resolution_state
bundler/vendor/molinillo/lib/molinillo/delegates/specification_provider
bundler/vendor/molinillo/lib/molinillo/dependency_graph
bundler/vendor/molinillo/lib/molinillo/dependency_graph/action
bundler/vendor/molinillo/lib/molinillo/dependency_graph/add_edge_no_circular
bundler/vendor/molinillo/lib/molinillo/dependency_graph/add_vertex
bundler/vendor/molinillo/lib/molinillo/dependency_graph/delete_edge
bundler/vendor/molinillo/lib/molinillo/dependency_graph/detach_vertex_named
bundler/vendor/molinillo/lib/molinillo/dependency_graph/log
bundler/vendor/molinillo/lib/molinillo/dependency_graph/set_payload
bundler/vendor/molinillo/lib/molinillo/dependency_graph/tag
bundler/vendor/molinillo/lib/molinillo/dependency_graph/vertex
bundler/vendor/molinillo/lib/molinillo/errors bundler/vendor/molinillo/lib/molinillo/gem_metadata
bundler/vendor/molinillo/lib/molinillo/modules/specification_provider
bundler/vendor/molinillo/lib/molinillo/modules/ui
bundler/vendor/molinillo/lib/molinillo/resolution bundler/vendor/molinillo/lib/molinillo/resolver
bundler/vendor/molinillo/lib/molinillo/state
bundler/vendor/net-http-persistent/lib/net/http/persistent
bundler/vendor/net-http-persistent/lib/net/http/persistent/connection
bundler/vendor/net-http-persistent/lib/net/http/persistent/pool
bundler/vendor/net-http-persistent/lib/net/http/persistent/timed_stack_multi
bundler/vendor/thor/lib/thor bundler/vendor/thor/lib/thor/actions
bundler/vendor/thor/lib/thor/actions/create_file bundler/vendor/thor/lib/thor/actions/create_link
bundler/vendor/thor/lib/thor/actions/directory
bundler/vendor/thor/lib/thor/actions/empty_directory
bundler/vendor/thor/lib/thor/actions/file_manipulation
bundler/vendor/thor/lib/thor/actions/inject_into_file bundler/vendor/thor/lib/thor/base
bundler/vendor/thor/lib/thor/command
bundler/vendor/thor/lib/thor/core_ext/hash_with_indifferent_access
bundler/vendor/thor/lib/thor/error bundler/vendor/thor/lib/thor/group
bundler/vendor/thor/lib/thor/invocation bundler/vendor/thor/lib/thor/line_editor
bundler/vendor/thor/lib/thor/line_editor/basic bundler/vendor/thor/lib/thor/line_editor/readline
bundler/vendor/thor/lib/thor/nested_context bundler/vendor/thor/lib/thor/parser
bundler/vendor/thor/lib/thor/parser/argument bundler/vendor/thor/lib/thor/parser/arguments
bundler/vendor/thor/lib/thor/parser/option bundler/vendor/thor/lib/thor/parser/options
bundler/vendor/thor/lib/thor/rake_compat bundler/vendor/thor/lib/thor/runner
bundler/vendor/thor/lib/thor/shell bundler/vendor/thor/lib/thor/shell/basic
bundler/vendor/thor/lib/thor/shell/color bundler/vendor/thor/lib/thor/shell/html
bundler/vendor/thor/lib/thor/util bundler/vendor/thor/lib/thor/version
bundler/vendor/tmpdir/lib/tmpdir bundler/vendor/tsort/lib/tsort bundler/vendor/uri/lib/uri
bundler/vendor/uri/lib/uri/common bundler/vendor/uri/lib/uri/file bundler/vendor/uri/lib/uri/ftp
bundler/vendor/uri/lib/uri/generic bundler/vendor/uri/lib/uri/http
bundler/vendor/uri/lib/uri/https bundler/vendor/uri/lib/uri/ldap bundler/vendor/uri/lib/uri/ldaps
bundler/vendor/uri/lib/uri/mailto bundler/vendor/uri/lib/uri/rfc2396_parser
bundler/vendor/uri/lib/uri/rfc3986_parser bundler/vendor/uri/lib/uri/version
bundler/vendor/uri/lib/uri/ws bundler/vendor/uri/lib/uri/wss bundler/vendored_fileutils
bundler/vendored_molinillo bundler/vendored_persistent bundler/vendored_thor
bundler/vendored_tmpdir bundler/vendored_tsort bundler/vendored_uri bundler/version
bundler/version_ranges bundler/vlad bundler/worker bundler/yaml_serializer
cgi cgi/cookie cgi/core cgi/escape cgi/html cgi/session cgi/session/pstore cgi/util
continuation
coverage
csv csv/core_ext/array csv/core_ext/string csv/delete_suffix csv/fields_converter
csv/input_record_separator csv/match_p csv/parser csv/row csv/table csv/version csv/writer
date
date_core
delegate
did_you_mean did_you_mean/core_ext/name_error did_you_mean/experimental did_you_mean/formatter
did_you_mean/formatters/plain_formatter did_you_mean/formatters/verbose_formatter
did_you_mean/jaro_winkler did_you_mean/levenshtein did_you_mean/spell_checker
did_you_mean/spell_checkers/key_error_checker did_you_mean/spell_checkers/method_name_checker
did_you_mean/spell_checkers/name_error_checkers
did_you_mean/spell_checkers/name_error_checkers/class_name_checker
did_you_mean/spell_checkers/name_error_checkers/variable_name_checker
did_you_mean/spell_checkers/null_checker did_you_mean/spell_checkers/pattern_key_name_checker
did_you_mean/spell_checkers/require_path_checker did_you_mean/tree_spell_checker
did_you_mean/verbose did_you_mean/version
digest digest/bubblebabble digest/loader digest/md5 digest/rmd160 digest/sha1 digest/sha2
digest/sha2/loader digest/version
drb drb/acl drb/drb drb/eq drb/extserv drb/extservm drb/gw drb/invokemethod drb/observer drb/ssl
drb/timeridconv drb/unix drb/version drb/weakidconv
erb erb/version
error_highlight error_highlight/base error_highlight/core_ext error_highlight/formatter
error_highlight/version
etc
expect
fcntl
fiddle fiddle/closure fiddle/cparser fiddle/function fiddle/import fiddle/pack fiddle/struct
fiddle/types fiddle/value fiddle/version
fileutils
find
forwardable forwardable/impl
getoptlong
io/console io/console/size io/nonblock io/wait
ipaddr
irb irb/cmd/chws irb/cmd/fork irb/cmd/help irb/cmd/info irb/cmd/load irb/cmd/ls irb/cmd/measure
irb/cmd/nop irb/cmd/pushws irb/cmd/show_source irb/cmd/subirb irb/cmd/whereami irb/color
irb/color_printer irb/completion irb/context irb/easter-egg irb/ext/change-ws irb/ext/history
irb/ext/loader irb/ext/multi-irb irb/ext/save-history irb/ext/tracer irb/ext/use-loader
irb/ext/workspaces irb/extend-command irb/frame irb/help irb/init irb/input-method irb/inspector
irb/lc/error irb/lc/ja/encoding_aliases irb/lc/ja/error irb/locale irb/magic-file irb/notifier
irb/output-method irb/ruby-lex irb/src_encoding irb/version irb/workspace irb/ws-for-case-2
irb/xmp
json json/add/bigdecimal json/add/complex json/add/core json/add/date json/add/date_time
json/add/exception json/add/ostruct json/add/range json/add/rational json/add/regexp json/add/set
json/add/struct json/add/symbol json/add/time json/common json/ext json/ext/generator
json/ext/parser json/generic_object json/version
kconv
logger logger/errors logger/formatter logger/log_device logger/period logger/severity
logger/version
mkmf
monitor
mutex_m
net/http net/http/backward net/http/exceptions net/http/generic_request net/http/header
net/http/proxy_delta net/http/request net/http/requests net/http/response net/http/responses
net/http/status net/https net/protocol
nkf
objspace objspace/trace
observer
open-uri
open3 open3/version
openssl openssl/bn openssl/buffering openssl/cipher openssl/digest openssl/hmac openssl/marshal
openssl/pkcs5 openssl/pkey openssl/ssl openssl/version openssl/x509
optionparser
optparse optparse/ac optparse/date optparse/kwargs optparse/shellwords optparse/time optparse/uri
optparse/version
ostruct
pathname
pp
prettyprint
pstore
psych psych/class_loader psych/coder psych/core_ext psych/exception psych/handler
psych/handlers/document_stream psych/handlers/recorder psych/json/ruby_events psych/json/stream
psych/json/tree_builder psych/json/yaml_events psych/nodes psych/nodes/alias psych/nodes/document
psych/nodes/mapping psych/nodes/node psych/nodes/scalar psych/nodes/sequence psych/nodes/stream
psych/omap psych/parser psych/scalar_scanner psych/set psych/stream psych/streaming
psych/syntax_error psych/tree_builder psych/versions psych/visitors psych/visitors/depth_first
psych/visitors/emitter psych/visitors/json_tree psych/visitors/to_ruby psych/visitors/visitor
psych/visitors/yaml_tree psych/y
pty
racc racc/compat racc/cparse racc/debugflags racc/exception racc/grammar racc/grammarfileparser
racc/info racc/iset racc/logfilegenerator racc/parser racc/parser-text racc/parserfilegenerator
racc/sourcetext racc/state racc/statetransitiontable racc/static
random/formatter
rbconfig rbconfig/sizeof
rdoc rdoc/alias rdoc/anon_class rdoc/any_method rdoc/attr rdoc/class_module rdoc/code_object
rdoc/code_objects rdoc/comment rdoc/constant rdoc/context rdoc/context/section
rdoc/cross_reference rdoc/encoding rdoc/erb_partial rdoc/erbio rdoc/extend rdoc/generator
rdoc/generator/darkfish rdoc/generator/json_index rdoc/generator/markup rdoc/generator/pot
rdoc/generator/pot/message_extractor rdoc/generator/pot/po rdoc/generator/pot/po_entry
rdoc/generator/ri rdoc/ghost_method rdoc/i18n rdoc/i18n/locale rdoc/i18n/text rdoc/include
rdoc/known_classes rdoc/markdown rdoc/markdown/entities rdoc/markdown/literals rdoc/markup
rdoc/markup/attr_changer rdoc/markup/attr_span rdoc/markup/attribute_manager
rdoc/markup/attributes rdoc/markup/blank_line rdoc/markup/block_quote rdoc/markup/document
rdoc/markup/formatter rdoc/markup/hard_break rdoc/markup/heading rdoc/markup/include
rdoc/markup/indented_paragraph rdoc/markup/list rdoc/markup/list_item rdoc/markup/paragraph
rdoc/markup/parser rdoc/markup/pre_process rdoc/markup/raw rdoc/markup/regexp_handling
rdoc/markup/rule rdoc/markup/table rdoc/markup/to_ansi rdoc/markup/to_bs rdoc/markup/to_html
rdoc/markup/to_html_crossref rdoc/markup/to_html_snippet rdoc/markup/to_joined_paragraph
rdoc/markup/to_label rdoc/markup/to_markdown rdoc/markup/to_rdoc rdoc/markup/to_table_of_contents
rdoc/markup/to_test rdoc/markup/to_tt_only rdoc/markup/verbatim rdoc/meta_method rdoc/method_attr
rdoc/mixin rdoc/normal_class rdoc/normal_module rdoc/options rdoc/parser rdoc/parser/c
rdoc/parser/changelog rdoc/parser/markdown rdoc/parser/rd rdoc/parser/ripper_state_lex
rdoc/parser/ruby rdoc/parser/ruby_tools rdoc/parser/simple rdoc/parser/text rdoc/rd
rdoc/rd/block_parser rdoc/rd/inline rdoc/rd/inline_parser rdoc/rdoc rdoc/require rdoc/ri
rdoc/ri/driver rdoc/ri/formatter rdoc/ri/paths rdoc/ri/store rdoc/ri/task rdoc/rubygems_hook
rdoc/servlet rdoc/single_class rdoc/stats rdoc/stats/normal rdoc/stats/quiet rdoc/stats/verbose
rdoc/store rdoc/task rdoc/text rdoc/token_stream rdoc/tom_doc rdoc/top_level rdoc/version
readline
reline reline/ansi reline/config reline/general_io reline/history reline/key_actor
reline/key_actor/base reline/key_actor/emacs reline/key_actor/vi_command
reline/key_actor/vi_insert reline/key_stroke reline/kill_ring reline/line_editor reline/terminfo
reline/unicode reline/unicode/east_asian_width reline/version reline/windows
resolv
resolv-replace
rinda/rinda rinda/ring rinda/tuplespace
ripper ripper/core ripper/filter ripper/lexer ripper/sexp
rubygems rubygems/available_set rubygems/basic_specification rubygems/bundler_version_finder
rubygems/command rubygems/command_manager rubygems/commands/build_command
rubygems/commands/cert_command rubygems/commands/check_command rubygems/commands/cleanup_command
rubygems/commands/contents_command rubygems/commands/dependency_command
rubygems/commands/environment_command rubygems/commands/fetch_command
rubygems/commands/generate_index_command rubygems/commands/help_command
rubygems/commands/info_command rubygems/commands/install_command rubygems/commands/list_command
rubygems/commands/lock_command rubygems/commands/mirror_command rubygems/commands/open_command
rubygems/commands/outdated_command rubygems/commands/owner_command
rubygems/commands/pristine_command rubygems/commands/push_command rubygems/commands/query_command
rubygems/commands/rdoc_command rubygems/commands/search_command rubygems/commands/server_command
rubygems/commands/setup_command rubygems/commands/signin_command rubygems/commands/signout_command
rubygems/commands/sources_command rubygems/commands/specification_command
rubygems/commands/stale_command rubygems/commands/uninstall_command
rubygems/commands/unpack_command rubygems/commands/update_command rubygems/commands/which_command
rubygems/commands/yank_command rubygems/compatibility rubygems/config_file
rubygems/core_ext/kernel_gem rubygems/core_ext/kernel_require rubygems/core_ext/kernel_warn
rubygems/core_ext/tcpsocket_init rubygems/defaults rubygems/dependency
rubygems/dependency_installer rubygems/dependency_list rubygems/deprecate rubygems/doctor
rubygems/errors rubygems/exceptions rubygems/ext rubygems/ext/build_error rubygems/ext/builder
rubygems/ext/cmake_builder rubygems/ext/configure_builder rubygems/ext/ext_conf_builder
rubygems/ext/rake_builder rubygems/gem_runner rubygems/gemcutter_utilities rubygems/indexer
rubygems/install_default_message rubygems/install_message rubygems/install_update_options
rubygems/installer rubygems/installer_uninstaller_utils rubygems/local_remote_options
rubygems/mock_gem_ui rubygems/name_tuple rubygems/openssl rubygems/optparse
rubygems/optparse/lib/optionparser rubygems/optparse/lib/optparse
rubygems/optparse/lib/optparse/ac rubygems/optparse/lib/optparse/date
rubygems/optparse/lib/optparse/kwargs rubygems/optparse/lib/optparse/shellwords
rubygems/optparse/lib/optparse/time rubygems/optparse/lib/optparse/uri
rubygems/optparse/lib/optparse/version rubygems/package rubygems/package/digest_io
rubygems/package/file_source rubygems/package/io_source rubygems/package/old
rubygems/package/source rubygems/package/tar_header rubygems/package/tar_reader
rubygems/package/tar_reader/entry rubygems/package/tar_writer rubygems/package_task
rubygems/path_support rubygems/platform rubygems/psych_additions rubygems/psych_tree
rubygems/query_utils rubygems/rdoc rubygems/remote_fetcher rubygems/request
rubygems/request/connection_pools rubygems/request/http_pool rubygems/request/https_pool
rubygems/request_set rubygems/request_set/gem_dependency_api rubygems/request_set/lockfile
rubygems/request_set/lockfile/parser rubygems/request_set/lockfile/tokenizer rubygems/requirement
rubygems/resolver rubygems/resolver/activation_request rubygems/resolver/api_set
rubygems/resolver/api_set/gem_parser rubygems/resolver/api_specification
rubygems/resolver/best_set rubygems/resolver/composed_set rubygems/resolver/conflict
rubygems/resolver/current_set rubygems/resolver/dependency_request rubygems/resolver/git_set
rubygems/resolver/git_specification rubygems/resolver/index_set
rubygems/resolver/index_specification rubygems/resolver/installed_specification
rubygems/resolver/installer_set rubygems/resolver/local_specification rubygems/resolver/lock_set
rubygems/resolver/lock_specification rubygems/resolver/molinillo
rubygems/resolver/molinillo/lib/molinillo
rubygems/resolver/molinillo/lib/molinillo/delegates/resolution_state
rubygems/resolver/molinillo/lib/molinillo/delegates/specification_provider
rubygems/resolver/molinillo/lib/molinillo/dependency_graph
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/action
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/add_edge_no_circular
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/add_vertex
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/delete_edge
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/detach_vertex_named
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/log
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/set_payload
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/tag
rubygems/resolver/molinillo/lib/molinillo/dependency_graph/vertex
rubygems/resolver/molinillo/lib/molinillo/errors
rubygems/resolver/molinillo/lib/molinillo/gem_metadata
rubygems/resolver/molinillo/lib/molinillo/modules/specification_provider
rubygems/resolver/molinillo/lib/molinillo/modules/ui
rubygems/resolver/molinillo/lib/molinillo/resolution
rubygems/resolver/molinillo/lib/molinillo/resolver rubygems/resolver/molinillo/lib/molinillo/state
rubygems/resolver/requirement_list rubygems/resolver/set rubygems/resolver/source_set
rubygems/resolver/spec_specification rubygems/resolver/specification rubygems/resolver/stats
rubygems/resolver/vendor_set rubygems/resolver/vendor_specification rubygems/s3_uri_signer
rubygems/safe_yaml rubygems/security rubygems/security/policies rubygems/security/policy
rubygems/security/signer rubygems/security/trust_dir rubygems/security_option rubygems/source
rubygems/source/git rubygems/source/installed rubygems/source/local rubygems/source/lock
rubygems/source/specific_file rubygems/source/vendor rubygems/source_list rubygems/spec_fetcher
rubygems/specification rubygems/specification_policy rubygems/stub_specification rubygems/text
rubygems/tsort rubygems/tsort/lib/tsort rubygems/uninstaller
rubygems/unknown_command_spell_checker rubygems/uri rubygems/uri_formatter
rubygems/user_interaction rubygems/util rubygems/util/licenses rubygems/util/list
rubygems/validator rubygems/version rubygems/version_option
securerandom
set set/sorted_set
shellwords
singleton
socket
stringio
strscan
syslog syslog/logger
tempfile
time
timeout
tmpdir
tsort
un
unicode_normalize/normalize unicode_normalize/tables
uri uri/common uri/file uri/ftp uri/generic uri/http uri/https uri/ldap uri/ldaps uri/mailto
uri/rfc2396_parser uri/rfc3986_parser uri/version uri/ws uri/wss
weakref
yaml yaml/dbm yaml/store
zlib
`
    .split(/\s+/)
    .filter((f) => f !== '')
);
