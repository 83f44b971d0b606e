// Loaded with `node --import` by the hostile-layer tests: reports the process's peak resident
// set size (KiB) on stderr as the last line, whatever the command did.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nlamina-test-maxrss-kib ${process.resourceUsage().maxRSS}\n`);
});
