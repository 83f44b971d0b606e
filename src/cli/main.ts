#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { startWithFewerArenas } from './arenas.js';
import type { Command } from './command.js';
import { LAMINA_VERSION } from '../version.js';
import { describeError, EXIT } from './exit.js';
import type { CliIo } from './io.js';
import { escapeTerminal } from '../util/escape.js';

export const USAGE = `lamina ${LAMINA_VERSION}: supply-chain verifier for AWS Lambda layers

usage: lamina <command> [options]

commands:
  sbom INPUT            inventory a layer zip or directory and write a CycloneDX SBOM
  scan                  inventory every function and layer of an AWS estate, report drift
  merge SHARD_DIR...    combine the outputs of 'scan --shard I/N' into one scan result
  verify INPUT          check a layer against a policy: pins, signatures, packages, licenses
  gate LAYER.zip        pre-publish gate: verify a new layer version and print its pin entry
  pin INPUT             add a layer's digest to a policy's allowlist
  diff A B              package-level difference between two layers or SBOMs (or two scans)
  changes               what changed since the last (or a given) scan in the history
  history list|prune    the scans 'scan --history' recorded; retention
  verify-bundle ...     verify a Sigstore bundle (sigstore-conformance protocol)
  version               lamina's version (-o json: trust roots, format versions)

Run 'lamina <command> --help' for a command's options and the environment it reads.
Every command takes -h/--help and -q/--quiet; -o always names an output (a file, or
FORMAT[=FILE] where a command writes several formats).

exit codes: 0 pass, 1 policy failure, 2 bad input or usage, 3 could not complete`;

// Loaded on demand: `lamina sbom layer.zip` should not pay for loading the AWS SDK.
export const COMMANDS: Record<string, () => Promise<Command>> = {
  sbom: async () => (await import('./commands/sbom.js')).sbomCommand,
  scan: async () => (await import('./commands/scan.js')).scanCommand,
  merge: async () => (await import('./commands/merge.js')).mergeCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  gate: async () => (await import('./commands/gate.js')).gateCommand,
  pin: async () => (await import('./commands/pin.js')).pinCommand,
  diff: async () => (await import('./commands/diff.js')).diffCommand,
  changes: async () => (await import('./commands/changes.js')).changesCommand,
  history: async () => (await import('./commands/history.js')).historyCommand,
  'verify-bundle': async () => (await import('./commands/verify-bundle.js')).verifyBundleCommand,
  version: async () => (await import('./commands/version.js')).versionCommand,
};

/** Run the CLI; never throws: every error becomes one line on stderr and an exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(USAGE + '\n');
      return name === undefined ? EXIT.BAD_INPUT : EXIT.OK;
    }
    if (name === '--version' || name === '-V') {
      // Loaded here only: the version report names the trust roots and every output format.
      const { renderVersionText } = await import('../report/version.js');
      io.stdout.write(renderVersionText());
      return EXIT.OK;
    }
    const load = COMMANDS[name];
    if (!load)
      throw new UsageError({
        code: 'UNKNOWN_COMMAND',
        message: `unknown command ${JSON.stringify(name)}; see 'lamina --help'`,
      });
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    const { code, line } = describeError(err);
    io.stderr.write(escapeTerminal(line, { keepNewlines: true }) + '\n');
    if (process.env['LAMINA_DEBUG'] && err instanceof Error && err.stack)
      io.stderr.write(err.stack + '\n');
    return code;
  }
}

function invokedDirectly(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

// Run when executed as a program (not when imported by tests).
if (invokedDirectly()) {
  // Before anything else: a scan may start again here with fewer malloc arenas.
  startWithFewerArenas(process.argv.slice(2));
  // The SDK's multi-line notice about its own future Node requirement is not the user's to act
  // on: README says which Node versions lamina supports.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // A closed pipe (`lamina sbom x.zip | head`) is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    isTty: process.stderr.isTTY,
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`lamina: internal error: ${String(err)}\n`);
      process.exitCode = EXIT.INCOMPLETE;
    });
}
