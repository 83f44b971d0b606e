/** `lamina pin`: add a layer zip's digest to the allowlist of the rule matching --layer-name. */
import { UsageError } from '../../errors.js';
import { openLayerPath } from '../../unpack/open.js';
import { loadPolicyFile } from '../../verify/policy/load.js';
import { findRuleByName } from '../../verify/policy/match.js';
import { LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import type { CliIo } from '../io.js';
import { emitPin, PIN_FLAGS, pinFromFlags, requireLayerArgs } from './gate.js';

export const PIN_USAGE = `usage: lamina pin LAYER.zip --policy FILE --layer-name NAME [--version N] [--note TEXT]
                 [--expires DATE] [--print]

Adds the zip's sha256 to the pins of the first layer rule whose name glob matches NAME,
keeping the policy file's comments and layout. --print shows the entry instead of writing it.`;

/** `lamina pin`. */
export async function pinCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    print: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    ...PIN_FLAGS,
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(PIN_USAGE + '\n');
    return EXIT.OK;
  }
  const { input, policy, layerName } = requireLayerArgs('pin', PIN_USAGE, positionals, values);
  if (input.startsWith('arn:')) {
    // TODO(lead): pin a published layer version by ARN (CodeSha256 from GetLayerVersionByArn).
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: 'pinning a layer version ARN needs AWS access: not implemented yet',
    });
  }
  const loaded = loadPolicyFile(policy);
  const ruleIndex = findRuleByName(loaded.policy.layers, layerName);
  if (ruleIndex < 0) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `no layer rule in ${policy} has a name glob matching ${layerName}`,
    });
  }
  const { source, artifact } = await openLayerPath(input, limitsFromFlags(values));
  await source.close();
  if (artifact.kind !== 'zip')
    throw new UsageError({ code: 'BAD_INPUT', message: `${input}: pin needs a layer zip` });
  await emitPin(io, policy, ruleIndex, pinFromFlags(artifact.sha256, values), !values.print);
  return EXIT.OK;
}
