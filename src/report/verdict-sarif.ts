/**
 * SARIF 2.1.0 rendering: one result per failed or warned check.
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { LAMINA_VERSION } from '../version.js';
import type { CheckKind, Verdict } from '../verify/verdict.js';
import { escapeJsonText } from './escape.js';

const RULES: Record<CheckKind, string> = {
  digest: 'The layer digest is pinned and unexpired.',
  signer: 'The layer is signed by the required AWS Signer anchors.',
  sigstore: 'The layer has a Sigstore signature from the required anchors.',
  packages: 'The layer contains no denied package.',
  licenses: 'Package licenses satisfy the policy.',
  inventory: 'The inventory saw everything a runtime could load in the layer.',
  function: 'The function has the required code signing configuration and layer owners.',
  default: 'A policy rule matches the subject.',
  rule: 'The facts needed to choose the policy rule are known.',
};

/** SARIF log with one run. */
export function renderVerdictSarif(verdicts: readonly Verdict[]): string {
  const kinds = Object.keys(RULES) as CheckKind[];
  const results = verdicts.flatMap((v) =>
    v.checks
      .filter((c) => c.outcome === 'fail' || c.outcome === 'warn')
      .map((c) => ({
        ruleId: `lamina/${c.kind}`,
        ruleIndex: kinds.indexOf(c.kind),
        level: c.outcome === 'fail' ? 'error' : 'warning',
        message: { text: `${v.subject.name}: ${c.detail}` },
        locations: [
          {
            logicalLocations: [
              {
                name: v.subject.name,
                fullyQualifiedName: v.subject.arn ?? v.subject.name,
                kind: v.subject.kind === 'layer' ? 'module' : 'function',
              },
            ],
          },
        ],
        partialFingerprints: {
          'lamina/v1': `${v.subject.arn ?? v.subject.sha256 ?? v.subject.name}:${c.id}`,
        },
        properties: { checkId: c.id, mode: v.mode, evidence: c.evidence },
      }))
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lamina',
            version: LAMINA_VERSION,
            informationUri: 'https://github.com/lamina-dev/lamina',
            rules: kinds.map((k) => ({ id: `lamina/${k}`, shortDescription: { text: RULES[k] } })),
          },
        },
        results,
      },
    ],
  };
  return escapeJsonText(JSON.stringify(log, null, 2)) + '\n';
}
