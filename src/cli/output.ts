/** What commands write besides their main output: findings, notes, files. */
import type { Finding } from '../model/finding.js';
import type { VerifyNote } from '../pipeline/verify.js';
import { escapeTerminal } from '../util/escape.js';
import { writeFileAtomic } from '../util/fs.js';
import type { CliIo } from './io.js';

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

/** A verify run's notes on what it could not read, one line each on stderr. */
export function printNotes(io: CliIo, notes: readonly VerifyNote[]): void {
  for (const n of notes) {
    io.stderr.write(
      escapeTerminal(
        n.kind === 'unread'
          ? `lamina: could not read ${n.scope} ${n.subject}: ${n.reason}`
          : `lamina: note: ${n.subject}: no Signer evidence: ${n.problem}`
      ) + '\n'
    );
  }
}

/** The main output: to `-o FILE` (atomically) or stdout. */
export async function emit(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output) await writeFileAtomic(output, text);
  else io.stdout.write(text);
}
