/**
 * `lamina gate`: the pre-publish gate for a new layer version. Verifies its signatures and
 * applies the package and license rules of the rule matching --layer-name (pins are not checked:
 * the version is new). On success prints the pin entry, or adds it to the policy with --write.
 */
import { gateLayer } from '../../pipeline/pin.js';
import { VERDICT_FORMATS, renderVerdicts } from '../../report/verdicts.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';
import * as flags from '../flags.js';
import { emitPin } from '../pin-entry.js';
import { emit } from '../output.js';

export const GATE_USAGE = `usage: lamina gate LAYER.zip --policy FILE --layer-name NAME [--bundle FILE ...]
                  [--account ID] [--region R]
                  [--version N] [--note TEXT] [--expires DATE] [--write]
                  [--format text|json|sarif] [-o FILE] [-v|--verbose] [--sarif-category ID]
                  [--quiet] [limit flags]

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
  },
  async (args, io) => {
    const { values } = args;
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
