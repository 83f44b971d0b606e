/** `lamina pin`: add a layer zip's digest to the allowlist of the rule matching --layer-name. */
import { layerPin } from '../../pipeline/pin.js';
import { EXIT } from '../exit.js';
import { boundContentHeap } from '../heap.js';
import { AWS_ENV, command } from '../command.js';
import * as flags from '../flags.js';
import { emitImagePin, emitPin } from '../pin-entry.js';
import { imagePin } from '../../pipeline/verify-image.js';
import { UsageError } from '../../errors.js';

export const PIN_USAGE = `usage: lamina pin LAYER.zip|LAYER_VERSION_ARN --policy FILE --layer-name NAME [--version N]
                 [--note TEXT] [--expires DATE] [--print] [--account ID] [--region R]
                 [--profile P] [--endpoint-url URL] [--max-attempts N]
                 [--connect-timeout S] [--read-timeout S] [--quiet] [limit flags]
       lamina pin IMAGE --policy FILE [--platform OS/ARCH] [--repository HOST/REPO]
                 [--registry-auth FILE] [--insecure-registry HOST ...] [--note TEXT]
                 [--expires DATE] [--print]

Adds the zip's sha256 to the pins of the first layer rule whose name glob matches NAME,
keeping the policy file's comments and layout. For a layer version ARN the digest is Lambda's
CodeSha256 (GetLayerVersionByArn, as hex) and the version defaults to the ARN's.
--account and --region give the facts a rule may match on (an ARN implies them); a rule that
needs an unknown fact is never skipped: pin refuses and names it. --print shows the entry
instead of writing it. Limit flags as in 'lamina sbom --help'; timeouts in seconds. For an IMAGE the platform manifest digest (and its platform) is added
to images[].pins of the first images rule that applies.`;

/** `lamina pin`. */
export const pinCommand = command(
  PIN_USAGE,
  {
    print: { type: 'boolean', default: false },
    ...flags.AWS_API,
    ...flags.PIN_TARGET,
    ...flags.IMAGE_SOURCE,
    ...flags.IMAGE_FACTS,
  },
  async (args, io) => {
    const { values } = args;
    boundContentHeap();
    const first = await flags.imagePositional(args);
    if (first !== undefined) {
      if (values.policy === undefined)
        throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
      if (values.version !== undefined)
        throw new UsageError({ code: 'BAD_ARGUMENT', message: '--version is for layers' });
      const { ruleIndex, pin } = await imagePin({
        ...flags.imageSource(first, values),
        policy: values.policy,
        facts: flags.imageFacts(values),
      });
      await emitImagePin(
        io,
        values.policy,
        ruleIndex,
        { ...pin, ...flags.pinFields(values) },
        !values.print
      );
      return EXIT.OK;
    }
    const { input, policy, layerName, fields, facts, limits } = flags.pinTarget(
      'pin',
      PIN_USAGE,
      args
    );
    const { ruleIndex, pin } = await layerPin({
      input,
      policy,
      layerName,
      facts,
      limits,
      // Only an ARN is looked up in AWS.
      ...(input.startsWith('arn:') ? flags.aws(values) : {}),
    });
    await emitPin(io, policy, ruleIndex, { ...pin, ...fields }, !values.print, values.quiet);
    return EXIT.OK;
  },
  AWS_ENV
);
