import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FunctionStart } from '../../model/function-handler.js';
import type { Inventory } from '../../model/inventory.js';
import { newPackage, type License } from '../../model/package.js';
import type { LayerEvidence } from '../evidence.js';
import { loadPolicy } from '../policy/load.js';
import type { LoadedPolicy } from '../policy/types.js';

/** A zip function whose Handler loads its own code, for tests about other checks. */
export const ZIP_START: FunctionStart = {
  packageType: 'Zip',
  runtime: 'nodejs22.x',
  handler: 'index.handler',
};

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Load a policy from inline YAML (relative paths resolve against the repo root). */
export function policy(yaml: string): LoadedPolicy {
  return loadPolicy(yaml, 'inline-policy.yaml');
}

/** A small inventory of npm packages: [name, version, license]. */
export function inventory(pkgs: [string, string, License[]][]): Inventory {
  return {
    artifact: { name: 'layer.zip', kind: 'zip', sha256: 'x', size: 0, properties: {} },
    packages: pkgs.map(([name, version, licenses]) =>
      newPackage({
        id: `npm:nodejs/node_modules/${name}`,
        ecosystem: 'npm',
        name,
        version,
        purl: `pkg:npm/${name.replace('@', '%40')}@${version}`,
        licenses,
        foundBy: 'npm',
        locations: [{ path: `nodejs/node_modules/${name}/package.json` }],
      })
    ),
    findings: [],
    complete: true,
  };
}

export const mit: License[] = [{ $case: 'expression', expression: 'MIT' }];

export function layer(over: Partial<LayerEvidence> = {}): LayerEvidence {
  return {
    name: 'layer.zip',
    layerName: 'utils',
    sha256: 'a'.repeat(64),
    bundles: [],
    inventory: inventory([]),
    ...over,
  };
}

/** The sigstore-conformance happy-path v0.3 bundle over a.txt (real public-good bundle). */
export const CONFORMANCE = 'testdata/sigstore/conformance';
export const A_TXT = readFileSync(`${CONFORMANCE}/a.txt`);
export const HAPPY_BUNDLE: unknown = JSON.parse(
  readFileSync(`${CONFORMANCE}/happy-path-v0.3/bundle.sigstore.json`, 'utf8')
);
export const CONFORMANCE_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
export const CONFORMANCE_ISSUER = 'https://token.actions.githubusercontent.com';
