/**
 * `lamina gate`: the pre-publish gate for a new layer version. Verifies its signatures and
 * applies the package and license rules of the rule matching --layer-name (pins are not checked:
 * the version is new). On success prints the pin entry, or adds it to the policy with --write.
 */
import { gateLayer } from '../../pipeline/pin.js';
import { UsageError } from '../../errors.js';
import type { CliIo } from '../io.js';
import { VERDICT_FORMATS, renderVerdicts } from '../../report/verdicts.js';
import { EXIT } from '../exit.js';
import { boundContentHeap } from '../heap.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import { emitImagePin, emitPin } from '../pin-entry.js';
import { emit } from '../output.js';

export const GATE_USAGE = `usage: lamina gate LAYER.zip --policy FILE --layer-name NAME [--bundle FILE ...]
                  [--account ID] [--region R]
                  [--version N] [--note TEXT] [--expires DATE] [--write]
                  [--format text|json|sarif] [-o FILE] [-v|--verbose] [--sarif-category ID]
                  [--quiet] [limit flags]
       lamina gate IMAGE --policy FILE [--platform OS/ARCH] [--repository HOST/REPO]
                  [--registry-auth FILE] [--insecure-registry HOST ...] [--note TEXT]
                  [--expires DATE] [--write] [--endpoint-url URL]

Pre-publish gate: signatures, denied packages and licenses. On success prints the pin entry
to add to the policy, or adds it with --write (comments and layout are kept). The rule is the
one the published layer would get: when it depends on --account or --region and they are not
given, the gate fails and names them. The report goes to stderr (stdout carries the pin
entry), or to -o FILE; --sarif-category sets SARIF automationDetails.id (default
lamina/gate/). Limit flags as in 'lamina sbom --help'.`;

/** `lamina gate`. */
export const gateCommand = command(
  GATE_USAGE,
  {
    bundle: { type: 'string', multiple: true },
    write: { type: 'boolean', default: false },
    ...flags.REPORT,
    output: { type: 'string', short: 'o' },
    ...flags.PIN_TARGET,
    ...flags.IMAGE_SOURCE,
    ...flags.IMAGE_FACTS,
    ...flags.AWS,
  },
  async (args, io) => {
    const { values } = args;
    boundContentHeap();
    const first = await flags.imagePositional(args);
    if (first !== undefined) {
      return gateImage(first, values, io);
    }
    const { input, policy, layerName, fields, facts, limits } = flags.pinTarget(
      'gate',
      GATE_USAGE,
      args
    );
    const format = flags.oneOf('format', values.format, VERDICT_FORMATS);
    const { verdict, ruleIndex, sha256 } = await gateLayer({
      zip: input,
      policy,
      layerName,
      facts,
      bundleFiles: values.bundle ?? [],
      limits,
    });
    // The report goes to stderr (or -o FILE) so stdout carries only the pin entry.
    const report = renderVerdicts(
      [verdict],
      format,
      flags.reportOptions('gate', values, policy, input)
    );
    if (values.output !== undefined) await emit(report, values.output, io);
    else if (!values.quiet || !verdict.ok) io.stderr.write(report);
    if (!verdict.ok) return EXIT.POLICY_FAILURE;
    if (ruleIndex < 0) {
      // default: allow and no rule: nothing to pin into.
      if (!values.quiet)
        io.stderr.write(`lamina: no layer rule names ${layerName}; nothing to pin\n`);
      return EXIT.OK;
    }
    await emitPin(io, policy, ruleIndex, { sha256, ...fields }, values.write, values.quiet);
    return EXIT.OK;
  }
);

/** The gate for an image: everything but pins; on success the pin entry for its manifest. */
async function gateImage(
  input: string,
  values: {
    policy?: string | undefined;
    format: string;
    write: boolean;
    note?: string | undefined;
    expires?: string | undefined;
    version?: string | undefined;
    repository?: string | undefined;
    account?: string | undefined;
    region?: string | undefined;
    platform?: string | undefined;
    'registry-auth'?: string | undefined;
    'insecure-registry'?: string[] | undefined;
    profile?: string | undefined;
    'endpoint-url'?: string | undefined;
    'max-attempts': string;
    'connect-timeout': string;
    'read-timeout': string;
    'cache-dir'?: string | undefined;
    'rehash-cache'?: boolean | undefined;
  } & Parameters<typeof flags.limits>[0],
  io: CliIo
): Promise<number> {
  if (values.policy === undefined)
    throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
  if (values.version !== undefined)
    throw new UsageError({ code: 'BAD_ARGUMENT', message: '--version is for layers' });
  const format = flags.oneOf('format', values.format, VERDICT_FORMATS);
  const source = flags.imageSource(input, values);
  const facts = flags.imageFacts(values);
  // The image verifier (registries, cosign, Notation) loads only for an image.
  const { imagePin, verifyImageInput } = await import('../../pipeline/verify-image.js');
  const outcome = await verifyImageInput({
    ...source,
    policy: values.policy,
    facts,
    skipPins: true,
    ...flags.aws(values),
    limits: flags.limits(values),
  });
  io.stderr.write(renderVerdicts(outcome.verdicts, format));
  const verdict = outcome.verdicts[0];
  if (!verdict?.ok) return EXIT.POLICY_FAILURE;
  if (verdict.rule === undefined) {
    io.stderr.write(`lamina: no images rule applies to ${input}; nothing to pin\n`);
    return EXIT.OK;
  }
  const { ruleIndex, pin } = await imagePin({ ...source, policy: values.policy, facts });
  const fields = flags.pinFields(values);
  await emitImagePin(io, values.policy, ruleIndex, { ...pin, ...fields }, values.write);
  return EXIT.OK;
}
