/** `lamina pin`: add a layer zip's digest to the allowlist of the rule matching --layer-name. */
import { layerPin } from '../../pipeline/pin.js';
import { EXIT } from '../exit.js';
import {
  AWS_API_FLAGS,
  HELP_FLAG,
  LIMIT_FLAGS,
  PIN_FLAGS,
  awsFromFlags,
  limitsFromFlags,
  parse,
  pinFieldsFromFlags,
  requireLayerArgs,
} from '../flags.js';
import type { CliIo } from '../io.js';
import { emitPin } from '../pin-entry.js';

export const PIN_USAGE = `usage: lamina pin LAYER.zip|LAYER_VERSION_ARN --policy FILE --layer-name NAME [--version N]
                 [--note TEXT] [--expires DATE] [--print]
                 [--profile P] [--endpoint-url URL] [--max-attempts N]

Adds the zip's sha256 to the pins of the first layer rule whose name glob matches NAME,
keeping the policy file's comments and layout. For a layer version ARN the digest is Lambda's
CodeSha256 (GetLayerVersionByArn, as hex) and the version defaults to the ARN's.
--print shows the entry instead of writing it.`;

/** `lamina pin`. */
export async function pinCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    print: { type: 'boolean', default: false },
    ...HELP_FLAG,
    ...AWS_API_FLAGS,
    ...PIN_FLAGS,
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(PIN_USAGE + '\n');
    return EXIT.OK;
  }
  const { input, policy, layerName } = requireLayerArgs('pin', PIN_USAGE, positionals, values);
  const fields = pinFieldsFromFlags(values);
  const { ruleIndex, pin } = await layerPin({
    input,
    policy,
    layerName,
    limits: limitsFromFlags(values),
    // Only an ARN is looked up in AWS.
    ...(input.startsWith('arn:') ? awsFromFlags(values) : {}),
  });
  await emitPin(io, policy, ruleIndex, { ...pin, ...fields }, !values.print);
  return EXIT.OK;
}
