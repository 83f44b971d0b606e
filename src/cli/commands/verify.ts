/**
 * `lamina verify`: check a layer zip, a layer version, a function or the estate against a policy
 * and print the verdicts. Exit 0 when every enforced check passes, 1 on a violation, 2 on bad
 * input, 3 when incomplete.
 */
import { UsageError } from '../../errors.js';
import { parseFunctionArn } from '../../model/arn.js';
import {
  verifyEstate,
  verifyLambdaFunction,
  verifyLayerVersion,
  verifyLayerZip,
  type VerifyOutcome,
} from '../../pipeline/verify.js';
import { escapeTerminal } from '../../util/escape.js';
import { VERDICT_FORMATS, renderVerdicts } from '../../report/verdicts.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import { emit, printNotes } from '../output.js';

export const VERIFY_USAGE = `usage: lamina verify LAYER.zip --policy FILE --layer-name NAME [--layer-arn ARN]
                     [--account ID] [--region R] [options]
       lamina verify LAYER_VERSION_ARN --policy FILE [options] [AWS flags]
       lamina verify --function NAME --policy FILE [--region R] [options] [AWS flags]
       lamina verify --all --policy FILE [--region R ...] [options] [AWS flags]

options:   [--bundle FILE ...] [--format text|json|sarif] [-o FILE] [limit flags]
AWS flags: [--profile P] [--role-arn ARN ...] [--endpoint-url URL] [--cache-dir DIR]
           [--max-attempts N] [--concurrency N]

Checks layers against a policy: pinned digest (and Lambda's CodeSha256), signers (AWS Signer
job and profile state through the Signer API; Sigstore bundles from --bundle and the rule's
bundle sources), denied packages and licenses. --function also checks the function's code
signing config and layer owners and verifies each of its layers; --all verifies every function
and layer version in the regions (default AWS_REGION). The report says what was checked, how.
Exit 0 pass, 1 policy violation, 2 bad input or usage, 3 could not complete.`;

/** `lamina verify`. */
export const verifyCommand = command(
  VERIFY_USAGE,
  {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    'layer-arn': { type: 'string' },
    bundle: { type: 'string', multiple: true },
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    function: { type: 'string' },
    all: { type: 'boolean', default: false },
    account: { type: 'string' },
    ...flags.AWS,
    ...flags.ESTATE,
    ...flags.LIMITS,
  },
  async ({ values, positionals }, io) => {
    const inputs =
      positionals.length + (values.function !== undefined ? 1 : 0) + (values.all ? 1 : 0);
    if (inputs !== 1) {
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `verify takes exactly one INPUT, --function NAME or --all\n${VERIFY_USAGE}`,
      });
    }
    if (values.policy === undefined)
      throw new UsageError({ code: 'MISSING_ARGUMENT', message: '--policy is required' });
    const format = flags.oneOf('format', values.format, VERDICT_FORMATS);
    const common = {
      policy: values.policy,
      bundleFiles: values.bundle ?? [],
      limits: flags.limits(values),
    };
    const input = positionals[0];

    let outcome: VerifyOutcome;
    if (input !== undefined && !input.startsWith('arn:')) {
      if (values['layer-name'] === undefined) {
        throw new UsageError({
          code: 'MISSING_ARGUMENT',
          message: '--layer-name is required for a local zip',
        });
      }
      if ((values.region?.length ?? 0) > 1)
        throw new UsageError({ code: 'BAD_ARGUMENT', message: 'one --region for a local zip' });
      outcome = await verifyLayerZip({
        ...common,
        zip: input,
        layerName: values['layer-name'],
        facts: flags.facts({ account: values.account, region: values.region?.[0] }),
        ...(values['layer-arn'] !== undefined ? { layerArn: values['layer-arn'] } : {}),
      });
    } else {
      const aws = {
        ...common,
        ...flags.aws(values),
        roleArns: values['role-arn'] ?? [],
        concurrency: flags.positiveInt('concurrency', values.concurrency),
      };
      if (input !== undefined) {
        outcome = await verifyLayerVersion({ ...aws, arn: input });
      } else if (values.function !== undefined) {
        const fn = values.function;
        const region = values.region?.[0] ?? parseFunctionArn(fn)?.region ?? flags.envRegion();
        if (!region) throw flags.noRegion(false);
        outcome = await verifyLambdaFunction({ ...aws, function: fn, region });
      } else {
        const regions = flags.regions(values.region);
        if (regions.length === 0) throw flags.noRegion(true);
        outcome = await verifyEstate({ ...aws, regions });
      }
    }

    printNotes(io, outcome.notes);
    await emit(renderVerdicts(outcome.verdicts, format), values.output, io);
    for (const verdict of outcome.verdicts) {
      for (const c of verdict.checks) {
        if (c.outcome === 'warn')
          io.stderr.write(
            escapeTerminal(`lamina: warning: ${verdict.subject.name}: ${c.id}: ${c.detail}`) + '\n'
          );
      }
    }
    if (outcome.incomplete) return EXIT.INCOMPLETE;
    return outcome.verdicts.every((v) => v.ok) ? EXIT.OK : EXIT.POLICY_FAILURE;
  }
);
