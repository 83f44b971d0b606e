/** `lamina pin`: add a layer zip's digest to the allowlist of the rule matching --layer-name. */
import { UsageError } from '../../errors.js';
import { ClientFactory } from '../../fetch/aws/clients.js';
import { describeLayerVersion, parseLayerVersionArn } from '../../fetch/aws/enumerate.js';
import { failureError, layerHex } from '../../fetch/aws/layer.js';
import { openLayerPath } from '../../unpack/open.js';
import { loadPolicyFile } from '../../verify/policy/load.js';
import { describeUndecided, selectRule } from '../../verify/policy/match.js';
import { factFlags, LIMIT_FLAGS, limitsFromFlags, parse } from '../args.js';
import { EXIT } from '../exit.js';
import type { CliIo } from '../io.js';
import { emitPin, PIN_FLAGS, pinFromFlags, requireLayerArgs } from './gate.js';

export const PIN_USAGE = `usage: lamina pin LAYER.zip|LAYER_VERSION_ARN --policy FILE --layer-name NAME [--version N]
                 [--note TEXT] [--expires DATE] [--print] [--account ID] [--region R]
                 [--profile P] [--endpoint-url URL] [--max-attempts N]

Adds the zip's sha256 to the pins of the first layer rule whose name glob matches NAME,
keeping the policy file's comments and layout. For a layer version ARN the digest is Lambda's
CodeSha256 (GetLayerVersionByArn, as hex) and the version defaults to the ARN's.
--account and --region give the facts a rule may match on (an ARN implies them); a rule that
needs an unknown fact is never skipped: pin refuses and names it. --print shows the entry
instead of writing it.`;

/** GetLayerVersionByArn: the version's CodeSha256 as hex and its version number. */
async function publishedDigest(
  arn: string,
  aws: { endpointUrl?: string; profile?: string; maxAttempts: number }
): Promise<{ hex: string; version: number }> {
  const parsed = parseLayerVersionArn(arn);
  if (!parsed) {
    throw new UsageError({
      code: 'BAD_ARGUMENT',
      message: `not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION): ${arn}`,
    });
  }
  const factory = new ClientFactory(aws);
  try {
    const got = await describeLayerVersion(factory, {
      arn,
      ...parsed,
      listed: false,
      content: undefined,
      failure: undefined,
      lookups: [{ principal: { label: 'default', credentials: undefined }, region: parsed.region }],
    });
    if ('code' in got) throw failureError(got);
    return { hex: layerHex(arn, got.codeSha256), version: parsed.version };
  } finally {
    factory.destroy();
  }
}

/** `lamina pin`. */
export async function pinCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    print: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'endpoint-url': { type: 'string' },
    'max-attempts': { type: 'string', default: '8' },
    help: { type: 'boolean', short: 'h', default: false },
    account: { type: 'string' },
    region: { type: 'string' },
    ...PIN_FLAGS,
    ...LIMIT_FLAGS,
  });
  if (values.help) {
    io.stdout.write(PIN_USAGE + '\n');
    return EXIT.OK;
  }
  const { input, policy, layerName } = requireLayerArgs('pin', PIN_USAGE, positionals, values);
  const loaded = loadPolicyFile(policy);
  const arn = input.startsWith('arn:') ? input : undefined;
  const sel = selectRule(loaded.policy.layers, { name: layerName, arn, ...factFlags(values) });
  if (sel.kind !== 'rule') {
    const why = sel.kind === 'undecided' ? describeUndecided(sel, 'layers') : 'No rule matches.';
    throw new UsageError({ code: 'BAD_INPUT', message: `${policy}: ${layerName}: ${why}` });
  }
  const ruleIndex = sel.index;
  if (input.startsWith('arn:')) {
    if (!/^[1-9]\d*$/.test(values['max-attempts'])) {
      throw new UsageError({
        code: 'BAD_ARGUMENT',
        message: `--max-attempts: not a positive whole number: ${values['max-attempts']}`,
      });
    }
    const { hex, version } = await publishedDigest(input, {
      maxAttempts: Number(values['max-attempts']),
      ...(values['endpoint-url'] ? { endpointUrl: values['endpoint-url'] } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
    });
    const pin = pinFromFlags(hex, values);
    pin.version ??= version;
    await emitPin(io, policy, ruleIndex, pin, !values.print);
    return EXIT.OK;
  }
  const { source, artifact } = await openLayerPath(input, limitsFromFlags(values));
  await source.close();
  if (artifact.kind !== 'zip')
    throw new UsageError({ code: 'BAD_INPUT', message: `${input}: pin needs a layer zip` });
  await emitPin(io, policy, ruleIndex, pinFromFlags(artifact.sha256, values), !values.print);
  return EXIT.OK;
}
