import type { Finding } from '../model/finding.js';
import type { CliIo } from './io.js';
import { escapeTerminal } from '../report/escape.js';

/** One line per warning or error finding on stderr; info findings stay in the SBOM only. */
export function printFindings(io: CliIo, artifact: string, findings: readonly Finding[]): void {
  for (const f of findings) {
    if (f.severity === 'info') continue;
    io.stderr.write(
      escapeTerminal(
        `lamina: ${artifact}: ${f.severity}: ${f.code}${f.path ? ` ${f.path}` : ''}: ${f.message}`
      ) + '\n'
    );
  }
}
