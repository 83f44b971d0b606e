/**
 * SARIF 2.1.0 rendering of verdicts: one result per failed or warned check, shaped for GitHub
 * code scanning (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
 * every result is located in the policy file at the line of the rule entry that failed (or at
 * the layer zip when no policy path is given), rules carry help, tags and a security severity,
 * and fingerprints keep one alert per subject and check across runs.
 * Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from 'node:crypto';
import { LAMINA_VERSION } from '../version.js';
import type { CheckKind, CheckResult, Verdict } from '../verify/verdict.js';
import { escapeJsonText } from '../util/escape.js';
import { displayName } from './verdict-text.js';

/** The SARIF version written. */
export const SARIF_VERSION = '2.1.0';

/** Results GitHub code scanning accepts per run; more and the upload is rejected. */
export const MAX_SARIF_RESULTS = 25_000;

/** Options for {@link renderVerdictSarif}. */
export interface SarifOptions {
  /**
   * The policy file, relative to the repository root (POSIX separators; the CLI passes it
   * relative to the working directory) or absolute. Results are located at the line of the
   * policy entry that failed.
   */
  policyPath?: string;
  /**
   * The local layer zip that was verified (`verify LAYER.zip`, `gate`): a related location of
   * every result, and the location itself when there is no `policyPath`.
   */
  inputPath?: string;
  /**
   * `runAutomationDetails.id`: GitHub reads it as `category/run-id`; the default
   * `lamina/verify/` is the category `lamina/verify` with no run id. Give e.g.
   * `lamina/gate/` for gate, or one category per estate when uploading several runs.
   */
  automationId?: string;
  /** `file://` URI of the directory relative paths start from (recorded as `%SRCROOT%`). */
  srcRoot?: string;
  /** Most results written (default {@link MAX_SARIF_RESULTS}); the rest are counted in a notification. */
  maxResults?: number;
}

interface RuleInfo {
  name: string;
  short: string;
  full: string;
  help: string;
  severity: string;
  tags: string[];
}

/** One reporting descriptor per check kind; ids are stable (`lamina/<kind>`). */
const RULES: Record<CheckKind, RuleInfo> = {
  tags: {
    name: 'ImageDeployedByDigest',
    short: 'The image is named by digest, not by a movable tag.',
    full: "An image named by a tag from a repository whose tags can be moved names no fixed image: the next pull may get other bytes. The rule's `tags` setting decides whether that warns or fails.",
    help: "Deploy the image by digest (`REPOSITORY@sha256:…`), or make the repository's tags immutable.",
    severity: '5.0',
    tags: ['security', 'supply-chain', 'integrity'],
  },
  digest: {
    name: 'LayerDigestPinned',
    short: 'The layer digest is pinned and unexpired.',
    full: "The layer zip's sha256 must be in the rule's pins (the allowlist of approved builds), the pin must not have expired, and for a published layer it must equal Lambda's CodeSha256.",
    help: 'Review the layer, then pin its digest: `lamina pin LAYER --policy FILE --layer-name NAME` (or `lamina gate --write` before publishing). An expired pin needs a new review and a new expiry. A digest that differs from CodeSha256 means the bytes read are not what Lambda runs: investigate.',
    severity: '8.0',
    tags: ['security', 'supply-chain', 'integrity'],
  },
  signer: {
    name: 'LayerSignedByAwsSigner',
    short: 'The layer is signed by the required AWS Signer anchors.',
    full: "The layer version must carry an AWS Signer signing job of an allowed signing profile (profile active, job succeeded and not revoked, signed object equal to the layer), and enough distinct anchors must verify to meet the rule's threshold.",
    help: 'Publish the layer from a signing job of the allowed AWS Signer profile (`aws signer start-signing-job`), or add the profile as an anchor if it is trusted. A revoked job or profile means the signature must not be trusted: publish a newly signed version.',
    severity: '8.0',
    tags: ['security', 'supply-chain', 'signature'],
  },
  sigstore: {
    name: 'LayerSignedWithSigstore',
    short: 'The layer has a Sigstore signature from the required anchors.',
    full: "A Sigstore bundle over the layer's digest must verify against the anchor's trust root, with the anchor's identity (keyless issuer and subject, or public key) and its transparency-log, certificate-transparency and timestamp thresholds.",
    help: "Sign the layer zip in the release workflow (e.g. `cosign sign-blob --bundle`) and make the bundle reachable: `--bundle FILE` or the rule's `bundles` sources. Check that the signing identity matches the anchor exactly.",
    severity: '8.0',
    tags: ['security', 'supply-chain', 'signature'],
  },
  packages: {
    name: 'NoDeniedPackage',
    short: 'The layer contains no denied package.',
    full: "No package in the layer's inventory may match a `packages.deny` entry of the rule (package URL and version range).",
    help: 'Upgrade or remove the denied package and publish a new layer version. The verdict names each match with the path where it was found.',
    severity: '7.5',
    tags: ['security', 'supply-chain', 'dependency'],
  },
  licenses: {
    name: 'LicensesAllowed',
    short: 'Package licenses satisfy the policy.',
    full: "Every package's declared licenses must satisfy the rule's `licenses` section: no denied license, only allowed ones when an allowlist is given, and unknown licenses as the rule says.",
    help: 'Replace the package, or record the licence decision in the policy (`licenses.allow`, or `unknown: allow`) after legal review.',
    severity: '3.0',
    tags: ['security', 'supply-chain', 'license'],
  },
  inventory: {
    name: 'InventoryComplete',
    short: 'The inventory saw everything a runtime could load in the layer.',
    full: 'Package and license rules only cover what the inventory saw. Every metadata file must parse, every entry must be read, and every executable, shared library, native addon or extension must belong to a package, unless the rule allows the gap explicitly.',
    help: 'Fix what the verdict lists (a file lamina could not parse or read, an executable no package owns). An accepted gap goes in the rule: `inventory.allow` with the code, the paths and a reason.',
    severity: '7.0',
    tags: ['security', 'supply-chain', 'visibility'],
  },
  function: {
    name: 'FunctionCodeSigning',
    short: 'The function has the required code signing configuration and layer owners.',
    full: "A function the rule covers must have a code signing config (in Enforce mode when asked) whose allowed publishers include each signed layer's profile, and its layers must be owned by the allowed accounts.",
    help: 'Attach a code signing config with `UntrustedArtifactOnDeployment: Enforce` and the allowed signing profiles, and use layers published by the allowed accounts only.',
    severity: '6.0',
    tags: ['security', 'supply-chain', 'configuration'],
  },
  environment: {
    name: 'FunctionEnvironmentLoadsCode',
    short: "The function's environment makes its runtime load no code the policy does not allow.",
    full: 'A variable such as NODE_OPTIONS, PYTHONPATH, JAVA_TOOL_OPTIONS, LD_PRELOAD or AWS_LAMBDA_EXEC_WRAPPER makes the runtime load or run code before the handler, including layer files no package owns and nothing imports. Each such variable must be allowed by the rule with its exact value, and the variables must be readable.',
    help: 'Remove the variable from the function configuration, or, after reviewing the code it loads, allow it in the rule: `environment.allow` with the name, the exact values and a reason. A KMS error means lamina could not read the variables: grant it kms:Decrypt on the key.',
    severity: '7.0',
    tags: ['security', 'supply-chain', 'configuration'],
  },
  handler: {
    name: 'FunctionHandlerLoadsOwnCode',
    short: "The function's Handler makes its runtime load its own code.",
    full: 'The runtime loads the module the Handler names. A Node.js or Ruby Handler with an absolute path outside /var/task loads any file of a layer, data no package owns included; one naming a Node.js built-in, a Python standard library module or a Java platform class (child_process.execSync, cProfile.run, java.lang.System::load) makes Lambda call it with the event, which then runs as a command or as code, or names a library to load. Such a Handler must be allowed by the rule with its exact value; so must one of a runtime lamina does not know.',
    help: "Point the Handler at the function's own code (a path relative to /var/task), or, after reviewing the code it loads, allow it in the rule: `handler.allow` with the exact Handler and a reason.",
    severity: '7.0',
    tags: ['security', 'supply-chain', 'configuration'],
  },
  default: {
    name: 'PolicyRuleMatches',
    short: 'A policy rule matches the subject.',
    full: "A layer or function that no rule matches gets the policy's default; with `default: deny` it fails, since nothing approved it.",
    help: 'Add a rule that matches the layer or function (by name, ARN, account and region), or remove the layer from use.',
    severity: '5.0',
    tags: ['security', 'supply-chain', 'policy'],
  },
  rule: {
    name: 'PolicyRuleDecidable',
    short: 'The facts needed to choose the policy rule are known.',
    full: 'Which rule applies never depends on which facts happen to be known: when a rule that may apply names a fact (account, region, ARN, name) the command does not know, the verdict fails rather than falling through to a laxer rule.',
    help: 'Give the missing facts: `--account` and `--region` or the layer version ARN for a local zip, `--layer-name` for its name.',
    severity: '5.0',
    tags: ['security', 'supply-chain', 'policy'],
  },
};

const KINDS = Object.keys(RULES) as CheckKind[];

/** The rules (reporting descriptors) lamina writes, in `ruleIndex` order. */
export function sarifRules(): object[] {
  return KINDS.map((k) => {
    const r = RULES[k];
    return {
      id: `lamina/${k}`,
      name: r.name,
      shortDescription: { text: r.short },
      fullDescription: { text: r.full },
      help: {
        text: `${r.full}\n\nHow to fix: ${r.help.replace(/`/g, '')}`,
        markdown: `${r.full}\n\n**How to fix:** ${r.help}`,
      },
      defaultConfiguration: { level: 'error' },
      properties: {
        tags: r.tags,
        precision: 'very-high',
        'problem.severity': 'error',
        'security-severity': r.severity,
      },
    };
  });
}

/** A path as a URI reference: each segment percent-encoded; an absolute path as a file URI. */
export function pathToUri(path: string): { uri: string; uriBaseId?: string } {
  const encoded = path
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
  return path.startsWith('/')
    ? { uri: `file://${encoded}` }
    : { uri: encoded.replace(/^(?:\.\/)+/, ''), uriBaseId: '%SRCROOT%' };
}

/** The identity of a subject across runs: ARN (with version) when known, else the rule name. */
function subjectKey(v: Verdict): string {
  const s = v.subject;
  return `${s.kind}:${s.arn ?? s.ruleName ?? s.name}`;
}

function fingerprint(v: Verdict, c: CheckResult): string {
  return createHash('sha256')
    .update(`lamina/${c.kind}\0${c.id}\0${subjectKey(v)}`)
    .digest('hex')
    .slice(0, 16);
}

function label(v: Verdict): string {
  // A function's image also names the function running it (several may run one image).
  return `${v.subject.kind} ${v.subject.kind === 'image' ? displayName(v) : v.subject.name}`;
}

/**
 * A SARIF log with one run. Pure: the same verdicts and options give the same text. Every
 * result has a physical location when `policyPath` or `inputPath` is given (the CLI always has
 * the policy path); without either, results carry logical locations only, which GitHub does not
 * display.
 */
export function renderVerdictSarif(
  verdicts: readonly Verdict[],
  options: SarifOptions = {}
): string {
  const policy = options.policyPath !== undefined ? pathToUri(options.policyPath) : undefined;
  const input = options.inputPath !== undefined ? pathToUri(options.inputPath) : undefined;
  const all = verdicts.flatMap((v) =>
    v.checks.filter((c) => c.outcome === 'fail' || c.outcome === 'warn').map((c) => ({ v, c }))
  );
  // Errors first, so a cut keeps the failures.
  const ordered = [
    ...all.filter((x) => x.c.outcome === 'fail'),
    ...all.filter((x) => x.c.outcome === 'warn'),
  ];
  const max = Math.min(options.maxResults ?? MAX_SARIF_RESULTS, MAX_SARIF_RESULTS);
  const kept = ordered.slice(0, max);
  const results = kept.map(({ v, c }) => {
    const logical = {
      name: v.subject.name,
      fullyQualifiedName: v.subject.arn ?? v.subject.name,
      kind: v.subject.kind === 'function' ? 'function' : 'module',
    };
    const primary = policy
      ? {
          physicalLocation: {
            artifactLocation: policy,
            region: { startLine: c.line ?? v.rule?.line ?? 1 },
          },
          logicalLocations: [logical],
        }
      : input
        ? {
            physicalLocation: { artifactLocation: input, region: { startLine: 1 } },
            logicalLocations: [logical],
          }
        : { logicalLocations: [logical] };
    const related =
      policy && input
        ? [
            {
              id: 1,
              physicalLocation: { artifactLocation: input, region: { byteOffset: 0 } },
              message: { text: 'The layer zip that was verified.' },
            },
          ]
        : undefined;
    return {
      ruleId: `lamina/${c.kind}`,
      ruleIndex: KINDS.indexOf(c.kind),
      level: c.outcome === 'fail' ? 'error' : 'warning',
      message: { text: `${label(v)}: ${c.detail}` },
      locations: [primary],
      ...(related ? { relatedLocations: related } : {}),
      partialFingerprints: {
        // GitHub matches alerts on this key alone: without the subject in it, every layer
        // failing the same policy line would be one alert.
        primaryLocationLineHash: `${fingerprint(v, c)}:1`,
        'lamina/v1': `${v.subject.arn ?? v.subject.sha256 ?? v.subject.name}:${c.id}`,
      },
      properties: {
        checkId: c.id,
        mode: v.mode,
        subject: v.subject,
        evidence: c.evidence,
      },
    };
  });
  const left = ordered.length - kept.length;
  const run = {
    tool: {
      driver: {
        name: 'lamina',
        version: LAMINA_VERSION,
        semanticVersion: LAMINA_VERSION,
        rules: sarifRules(),
      },
    },
    automationDetails: { id: options.automationId ?? 'lamina/verify/' },
    ...(options.srcRoot !== undefined
      ? {
          originalUriBaseIds: {
            '%SRCROOT%': {
              uri: options.srcRoot.endsWith('/') ? options.srcRoot : `${options.srcRoot}/`,
            },
          },
        }
      : {}),
    invocations: [
      {
        executionSuccessful: true,
        ...(left > 0
          ? {
              toolExecutionNotifications: [
                {
                  level: 'warning',
                  message: {
                    text: `${left} more failed or warned check(s) not written: at most ${max} results per run (GitHub code scanning accepts ${MAX_SARIF_RESULTS}). The JSON report has them all.`,
                  },
                },
              ],
            }
          : {}),
      },
    ],
    results,
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: SARIF_VERSION,
    runs: [run],
  };
  return escapeJsonText(JSON.stringify(log, null, 2)) + '\n';
}
