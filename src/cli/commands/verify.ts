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
import { isImageInput } from '../../pipeline/image-input.js';
import { VERDICT_FORMATS, renderVerdicts } from '../../report/verdicts.js';
import { EXIT } from '../exit.js';
import { boundContentHeap, boundHeapGrowth } from '../heap.js';
import { ESTATE_ENV, command, type Command } from '../command.js';
import * as flags from '../flags.js';
import type { CliIo } from '../io.js';
import { emit, outputTargets, printNotes, printWarnings } from '../output.js';

export const VERIFY_USAGE = `usage: lamina verify LAYER.zip --policy FILE --layer-name NAME [--layer-arn ARN]
                     [--account ID] [--region R] [options]
       lamina verify IMAGE --policy FILE [--platform OS/ARCH] [--repository HOST/REPO]
                     [--registry-auth FILE] [--insecure-registry HOST ...] [--account ID]
                     [--region R] [options] [AWS flags]
       lamina verify LAYER_VERSION_ARN --policy FILE [options] [AWS flags]
       lamina verify --function NAME --policy FILE [--region R] [options] [AWS flags]
       lamina verify --all --policy FILE [--region R ...] [options] [AWS flags]

options:   [--bundle FILE ...] [--format text|json|sarif|markdown] [-o [FORMAT=]FILE ...]
           [-v|--verbose] [--sarif-category ID] [--quiet] [limit flags]
           [--history [DB]] (with --all)
AWS flags: [--profile P] [--role-arn ARN ...] [--endpoint-url URL] [--cache-dir DIR]
           [--max-attempts N] [--concurrency N] [--connect-timeout S] [--read-timeout S]
           [--rehash-cache] (hash each cached zip when looked up, fetch a changed one)

-o FILE writes the report to FILE ('-' or /dev/stdout: stdout; a regular file is replaced
atomically, a FIFO or device written in place); -o FORMAT=FILE (repeatable) writes several
formats at once, e.g. -o sarif=lamina.sarif with the text report on stdout. --verbose shows what each check did and did
not check and full digests. SARIF results point at the policy line of the rule that failed
(and the zip for a local input); --sarif-category sets automationDetails.id (default
lamina/verify/), one per estate when uploading several runs to GitHub code scanning. Limit
flags as in 'lamina sbom --help'; timeouts in seconds (default 60 each).

Checks layers against a policy: pinned digest (and Lambda's CodeSha256), signers (AWS Signer
job and profile state through the Signer API; Sigstore bundles from --bundle and the rule's
bundle sources), denied packages and licenses. --function also checks the function's code
signing config, layer owners and the variables of its environment that make the runtime
load code (NODE_OPTIONS, PYTHONPATH, JAVA_TOOL_OPTIONS, AWS_LAMBDA_EXEC_WRAPPER, ...), and
verifies each of its layers (a container-image function: its deployed image, under the images
rules); --all verifies every function, layer version and image function's image in the
regions (default AWS_REGION). IMAGE (oci:DIR[:REF], a layout directory, or
HOST/REPO[:TAG][@sha256:…]) is checked against the policy's images rules: pins,
deploy-by-tag, cosign, Sigstore bundle and Notation (AWS Signer, with GetRevocationStatus)
signatures. The report says what was checked, how.
--all --history [DB]: record the verdicts and each layer's AWS Signer status with the latest
scan 'lamina scan --history' recorded for the same regions, so 'lamina changes' reports newly
revoked signing jobs and profiles.
Exit 0 pass, 1 policy violation, 2 bad input or usage, 3 could not complete.`;

const verify = command(
  VERIFY_USAGE,
  {
    policy: { type: 'string' },
    'layer-name': { type: 'string' },
    'layer-arn': { type: 'string' },
    bundle: { type: 'string', multiple: true },
    ...flags.REPORT,
    output: { type: 'string', short: 'o', multiple: true },
    function: { type: 'string' },
    all: { type: 'boolean', default: false },
    account: { type: 'string' },
    ...flags.IMAGE_SOURCE,
    ...flags.IMAGE_FACTS,
    ...flags.HISTORY,
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
    if (values.history !== undefined && !values.all)
      throw new UsageError({ code: 'BAD_ARGUMENT', message: '--history goes with --all' });
    const format = flags.oneOf('format', values.format, VERDICT_FORMATS);
    // One layer, image or function's; --all's estate is a scan's work, with a scan's bounds.
    if (values.all) boundHeapGrowth();
    else boundContentHeap();
    const common = {
      policy: values.policy,
      bundleFiles: values.bundle ?? [],
      limits: flags.limits(values),
    };
    const input = positionals[0];

    let outcome: VerifyOutcome;
    if (input !== undefined && values['layer-name'] === undefined && (await isImageInput(input))) {
      if ((values.region?.length ?? 0) > 1)
        throw new UsageError({ code: 'BAD_ARGUMENT', message: 'one --region for an image' });
      // The image verifier (registries, cosign, Notation) loads only for an image.
      const { verifyImageInput } = await import('../../pipeline/verify-image.js');
      outcome = await verifyImageInput({
        ...flags.imageSource(input, values),
        policy: values.policy,
        facts: flags.imageFacts({
          repository: values.repository,
          account: values.account,
          region: values.region?.[0],
        }),
        ...flags.aws(values),
        limits: common.limits,
      });
    } else if (input !== undefined && !input.startsWith('arn:')) {
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
        const region =
          values.region?.[0] ??
          parseFunctionArn(fn)?.region ??
          (await flags.defaultRegion(values.profile));
        if (!region) throw flags.noRegion(false);
        outcome = await verifyLambdaFunction({ ...aws, function: fn, region });
      } else {
        const regions = await flags.regions(values.region, values.profile);
        if (regions.length === 0) throw flags.noRegion(true);
        // The history (SQLite, the estate analysis its changes use) loads only when asked for.
        const history =
          values.history === undefined ? undefined : await import('../../pipeline/history.js');
        const db =
          history === undefined || values.history === undefined
            ? undefined
            : flags.historyDb(values.history, history.defaultHistoryPath);
        if (history && db !== undefined) history.checkVerificationHistory(db, regions);
        outcome = await verifyEstate({ ...aws, regions });
        if (history && db !== undefined) {
          const rec = history.recordVerificationHistory({
            db,
            verdicts: outcome.verdicts,
            signing: outcome.signing ?? [],
            ...(outcome.policyDigest !== undefined ? { policyDigest: outcome.policyDigest } : {}),
            regions,
          });
          io.stderr.write(
            escapeTerminal(`lamina: verdicts recorded with scan ${rec.scanId} in ${rec.db}`) + '\n'
          );
        }
      }
    }

    if (!values.quiet) printNotes(io, outcome.notes);
    // Only a local zip is a file SARIF can point at; an ARN is not.
    const zip = input !== undefined && !input.startsWith('arn:') ? input : undefined;
    const report = flags.reportOptions('verify', values, values.policy, zip);
    const targets = outputTargets(values.output ?? [], VERDICT_FORMATS, format);
    for (const t of targets)
      await emit(renderVerdicts(outcome.verdicts, t.format, report), t.file, io);
    // A text report on stdout already shows each warning; otherwise stderr says each once.
    const textOnStdout = targets.some((t) => t.format === 'text' && t.file === undefined);
    if (!values.quiet && !textOnStdout) printWarnings(io, outcome.verdicts);
    if (outcome.incomplete) return EXIT.INCOMPLETE;
    return outcome.verdicts.every((v) => v.ok) ? EXIT.OK : EXIT.POLICY_FAILURE;
  },
  ESTATE_ENV
);

/** `lamina verify` (`--history` may stand alone: see flags.historyArgv). */
export const verifyCommand: Command = Object.assign(
  (argv: string[], io: CliIo) => verify(flags.historyArgv(argv), io),
  { spec: verify.spec }
);
