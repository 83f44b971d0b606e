// Preloaded with `node -r` by the hostile-layer tests: reports the process's peak resident set
// size (KiB) on stderr as the last line, whatever the command did.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nlamina-test-maxrss-kib ${process.resourceUsage().maxRSS}\n`);
});
