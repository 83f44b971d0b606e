/** What commands write besides their main output: findings, notes, files. */
import { UsageError } from '../errors.js';
import type { Finding } from '../model/finding.js';
import type { VerifyNote } from '../pipeline/verify.js';
import type { Verdict } from '../verify/verdict.js';
import { escapeTerminal } from '../util/escape.js';
import { outputPieces, writeOutputFile, type OutputData } from '../util/fs.js';
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

/** Write each distinct line once (a layer several functions use is verified once each). */
function writeOnce(io: CliIo, lines: Iterable<string>): void {
  for (const line of new Set(lines)) io.stderr.write(escapeTerminal(line) + '\n');
}

/** A verify run's notes on what it could not read, one line each on stderr. */
export function printNotes(io: CliIo, notes: readonly VerifyNote[]): void {
  writeOnce(
    io,
    notes.map((n) =>
      n.kind === 'unread'
        ? `lamina: could not read ${n.scope} ${n.subject}: ${n.reason}`
        : `lamina: note: ${n.subject}: no Signer evidence: ${n.problem}`
    )
  );
}

/** Each warning of the verdicts once on stderr. */
export function printWarnings(io: CliIo, verdicts: readonly Verdict[]): void {
  writeOnce(
    io,
    verdicts.flatMap((v) =>
      v.checks
        .filter((c) => c.outcome === 'warn')
        .map((c) => `lamina: warning: ${v.subject.name}: ${c.id}: ${c.detail}`)
    )
  );
}

/** True when `-o` names standard output: absent, `-`, or `/dev/stdout`. */
export function isStdout(output: string | undefined): boolean {
  return output === undefined || output === '-' || output === '/dev/stdout';
}

/**
 * The main output: to stdout (no `-o`, `-o -`, `-o /dev/stdout`) or to `-o FILE` as
 * {@link writeOutputFile} writes it (regular files atomically, FIFOs and devices in place).
 */
export async function emit(data: OutputData, output: string | undefined, io: CliIo): Promise<void> {
  if (!isStdout(output)) return writeOutputFile(output!, data);
  for (const piece of outputPieces(data)) io.stdout.write(piece);
}

/** Where one format goes: a file, or stdout (undefined). */
export interface OutputTarget<F extends string> {
  format: F;
  file: string | undefined;
}

/**
 * `-o` values, syft-style: `FORMAT`, `FORMAT=FILE`, or a plain `FILE` (in the default format).
 * At most one goes to stdout; with no `-o` the one is the default format to stdout.
 */
export function outputTargets<F extends string>(
  outputs: readonly string[],
  formats: readonly F[],
  format: F
): OutputTarget<F>[] {
  const targets: OutputTarget<F>[] = outputs.map((o) => {
    const eq = o.indexOf('=');
    const name = eq < 0 ? o : o.slice(0, eq);
    if ((formats as readonly string[]).includes(name)) {
      const file = eq < 0 ? undefined : o.slice(eq + 1);
      if (file === '') {
        throw new UsageError({ code: 'BAD_ARGUMENT', message: `-o ${o}: no file after '='` });
      }
      return { format: name as F, file: isStdout(file) ? undefined : file };
    }
    return { format, file: isStdout(o) ? undefined : o };
  });
  if (targets.length === 0) targets.push({ format, file: undefined });
  if (targets.filter((t) => t.file === undefined).length > 1) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: 'more than one -o writes to stdout: give FORMAT=FILE for all but one',
    });
  }
  return targets;
}
