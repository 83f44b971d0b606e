/**
 * `lamina diff A B`: the package-level difference between two artifacts (zips, directories,
 * layer version ARNs, CycloneDX JSON SBOMs), or the changes between two scan results.
 */
import { changeCount } from '../../diff/summary.js';
import { UsageError } from '../../errors.js';
import { CHANGE_KINDS } from '../../history/changes.js';
import { diffInputs } from '../../pipeline/diff.js';
import { CHANGES_FORMATS, renderChanges } from '../../report/changes.js';
import { renderPackageDiff } from '../../report/package-diff.js';
import { EXIT } from '../exit.js';
import { ESTATE_ENV, command } from '../command.js';
import * as flags from '../flags.js';
import { boundContentHeap, boundHeapGrowth } from '../heap.js';
import { emit } from '../output.js';

export const DIFF_USAGE = `usage: lamina diff A B [--format text|json|markdown] [-o FILE] [--exit-code]
                  [AWS flags] [limit flags]

A and B are each a layer zip, an unzipped layer directory, a layer version ARN or a CycloneDX
JSON SBOM: prints the package-level difference from A to B (packages added, removed, changed
version with its direction, changed content at the same version, unowned executables added,
removed or changed). Two scan results (scan.json, with their sboms/ beside them) give what
changed from the first scan to the second instead.
--exit-code: exit 1 when they differ (as git diff --exit-code). Otherwise exit 0; 2 bad input
or usage; 3 could not complete.`;

/** `lamina diff`. */
export const diffCommand = command(
  DIFF_USAGE,
  {
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    'exit-code': { type: 'boolean', default: false },
    ...flags.AWS,
    ...flags.LIMITS,
  },
  async ({ values, positionals }, io) => {
    if (positionals.length !== 2)
      throw new UsageError({
        code: 'MISSING_ARGUMENT',
        message: `diff takes exactly two inputs, A and B\n${DIFF_USAGE}`,
      });
    const format = flags.oneOf('format', values.format, CHANGES_FORMATS);
    const outcome = await diffInputs({
      from: positionals[0]!,
      to: positionals[1]!,
      // Two scan results of a large estate are hundreds of MB read: the scan's bound on heap
      // growth. Two layers are read as sbom reads one: a small young generation.
      onInputs: (inputs) => (inputs === 'results' ? boundHeapGrowth() : boundContentHeap()),
      ...flags.aws(values),
      limits: flags.limits(values),
    });
    const text =
      outcome.kind === 'packages'
        ? renderPackageDiff(outcome.diff, format)
        : renderChanges(outcome.changes, format);
    const differs =
      outcome.kind === 'packages'
        ? changeCount(outcome.diff.summary) > 0
        : CHANGE_KINDS.some((k) => outcome.changes.summary[k] > 0);
    await emit(text, values.output, io);
    return values['exit-code'] && differs ? EXIT.POLICY_FAILURE : EXIT.OK;
  },
  // AWS's for layer version ARNs; glibc's arenas for two scan results (src/cli/arenas.ts).
  ESTATE_ENV
);
