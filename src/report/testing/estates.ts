/**
 * A small drifted estate with its package drift computed, for the report tests: a layer used at
 * two versions (one function also has a hotfix layer that hides a package), a version number
 * with other bytes in another region, a layer that could not be read, and a package and a
 * function named to break out of Markdown, HTML and terminals.
 */
import { analyzeEstate } from '../../estate/analyze.js';
import {
  estate,
  inventory,
  type FunctionSpec,
  type VersionSpec,
} from '../../estate/testing/estate.js';
import type { ScanResult } from '../../scan/result.js';

/** Markup, a table pipe, a terminal escape and a bidi override. */
export const EVIL = '<img src=x onerror="window.__pwned=1"> | \u001b[2J\u202e';

const E = 'us-east-1';
const W = 'eu-west-1';

export function driftedEstate(): ScanResult {
  const inventories = new Map(
    [
      inventory('base-1', { lodash: '4.17.20', uuid: '9.0.1', [EVIL]: '1.0.0' }),
      inventory('base-2', { lodash: '4.17.21', uuid: '10.0.0' }),
      inventory('base-1-eu', { lodash: '4.17.19', uuid: '9.0.1' }),
      inventory('hotfix-1', { lodash: '4.17.21' }),
      inventory('tools-1', { chalk: '5.0.0' }),
    ].map((i) => [`sha256:${i.artifact.sha256}`, i])
  );
  const versions: VersionSpec[] = [
    { region: E, name: 'base', version: 1, tag: 'base-1' },
    { region: E, name: 'base', version: 2, tag: 'base-2' },
    { region: W, name: 'base', version: 1, tag: 'base-1-eu' },
    { region: E, name: 'hotfix', version: 1, tag: 'hotfix-1' },
    { region: E, name: 'tools', version: 1, tag: 'tools-1' },
    { region: E, name: 'gone', version: 1, tag: null },
  ];
  const functions: FunctionSpec[] = [
    [E, 'api', [['base', 1]]],
    [
      E,
      'worker',
      [
        ['base', 1],
        ['hotfix', 1],
      ],
    ],
    [
      E,
      'fresh',
      [
        ['base', 2],
        ['tools', 1],
      ],
    ],
    [W, 'eu-api', [['base', 1]]],
    [E, 'broken', [['gone', 1]]],
    [E, EVIL, [['tools', 1]]],
  ];
  const result = estate(versions, functions);
  result.failures.push({
    scope: 'layer-version',
    subject: 'arn:aws:lambda:us-east-1:111111111111:layer:gone:1',
    code: 'NOT_FOUND',
    reason: `GetLayerVersion: ResourceNotFoundException ${EVIL}`,
  });
  Object.assign(result.drift, analyzeEstate(result, { inventoryOf: (d) => inventories.get(d) }));
  return result;
}
