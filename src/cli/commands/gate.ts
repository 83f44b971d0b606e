/**
 * `lamina gate`: the pre-publish gate for a new layer version. Verifies its signatures and
 * applies the package and license rules of the rule matching --layer-name (pins are not checked:
 * the version is new). On success prints the pin entry, or adds it to the policy with --write.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { loadPolicyFile } from '../../verify/policy/load.js';
import { findRule } from '../../verify/policy/match.js';
import { addPinToPolicyText, pinEntryYaml } from '../../verify/policy/write-pin.js';
import type { Pin } from '../../verify/policy/types.js';
import { parseExpiry } from '../../verify/policy/expiry.js';
import { verifyLayer } from '../../verify/verifier.js';
import { factFlags, LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import { writeFileAtomic, type CliIo } from '../io.js';
import { localLayerEvidence, renderVerdicts } from './verify.js';

export const GATE_USAGE = `usage: lamina gate LAYER.zip --policy FILE --layer-name NAME [--bundle FILE ...]
                  [--account ID] [--region R]
                  [--version N] [--note TEXT] [--expires DATE] [--write] [limit flags]

Pre-publish gate: signatures, denied packages and licenses. On success prints the pin entry
to add to the policy, or adds it with --write (comments and layout are kept). The rule is the
one the published layer would get: when it depends on --account or --region and they are not
given, the gate fails and names them.`;

/** Flags shared by gate and pin for the pin entry. */
export const PIN_FLAGS = {
  version: { type: 'string' },
  note: { type: 'string' },
  expires: { type: 'string' },
} as const;

/** Build the pin entry from the flags. */
export function pinFromFlags(
  sha256: string,
  values: { version?: string | undefined; note?: string | undefined; expires?: string | undefined }
): Pin {
  const pin: Pin = { sha256 };
  if (values.version !== undefined) {
    if (!/^[1-9]\d*$/.test(values.version)) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--version: not a layer version number: ${values.version}`,
      });
    }
    pin.version = Number(values.version);
  }
  if (values.note !== undefined) pin.note = values.note;
  if (values.expires !== undefined) {
    if (!parseExpiry(values.expires)) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--expires: not a date: ${values.expires}`,
      });
    }
    pin.expires = values.expires;
  }
  return pin;
}

/** Print the pin entry, or write it into the policy file. */
export async function emitPin(
  io: CliIo,
  policyPath: string,
  ruleIndex: number,
  pin: Pin,
  write: boolean
): Promise<void> {
  if (!write) {
    io.stdout.write(`# add to layers[${ruleIndex}].pins in ${policyPath}:\n${pinEntryYaml(pin)}`);
    return;
  }
  const { text, added } = addPinToPolicyText(readFileSync(policyPath, 'utf8'), ruleIndex, pin);
  if (added) await writeFileAtomic(policyPath, text);
  io.stderr.write(
    added
      ? `lamina: pinned sha256 ${pin.sha256} in ${policyPath} (layers[${ruleIndex}])\n`
      : `lamina: sha256 ${pin.sha256} is already pinned in ${policyPath}\n`
  );
}

/** Common argument checks for gate and pin. */
export function requireLayerArgs(
  cmd: string,
  usage: string,
  positionals: string[],
  values: { policy?: string | undefined; 'layer-name'?: string | undefined }
): { input: string; policy: string; layerName: string } {
  if (positionals.length !== 1) {
    throw new UsageError({
      code: 'MISSING_ARGUMENT',
      message: `${cmd} takes exactly one LAYER.zip\n${usage}`,
    });
  }
  if (values.policy === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
  if (values['layer-name'] === undefined) {
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--layer-name is required' });
  }
  return { input: positionals[0]!, policy: values.policy, layerName: values['layer-name'] };
}

/** `lamina gate`. */
export async function gateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    bundle: { type: 'string', multiple: true },
    write: { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
    help: { type: 'boolean', short: 'h', default: false },
    account: { type: 'string' },
    region: { type: 'string' },
    ...PIN_FLAGS,
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(GATE_USAGE + '\n');
    return EXIT.OK;
  }
  const { input, policy, layerName } = requireLayerArgs('gate', GATE_USAGE, positionals, values);
  const format = values.format as 'text' | 'json' | 'sarif';
  if (!['text', 'json', 'sarif'].includes(format)) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: '--format must be one of text, json, sarif',
    });
  }
  const loaded = loadPolicyFile(policy);
  const facts = factFlags(values);
  const ruleIndex = findRule(loaded.policy.layers, { name: layerName, ...facts });
  const limits = limitsFromFlags(values);
  const ev = await localLayerEvidence(
    input,
    layerName,
    undefined,
    loaded,
    values.bundle ?? [],
    limits,
    facts
  );
  const pin = pinFromFlags(ev.sha256, values);
  const verdict = verifyLayer(ev, loaded, { now: new Date(), skipPins: true });
  // The report goes to stderr so stdout carries only the pin entry.
  io.stderr.write(renderVerdicts([verdict], format));
  if (!verdict.ok) return EXIT.POLICY_FAILURE;
  if (ruleIndex < 0) {
    // default: allow and no rule: nothing to pin into.
    io.stderr.write(`lamina: no layer rule names ${layerName}; nothing to pin\n`);
    return EXIT.OK;
  }
  await emitPin(io, policy, ruleIndex, pin, values.write);
  return EXIT.OK;
}
