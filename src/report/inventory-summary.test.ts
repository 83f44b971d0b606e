import { describe, expect, it } from 'vitest';
import type { Inventory } from '../model/inventory.js';
import type { Package } from '../model/package.js';
import { summarizeInventory } from './inventory-summary.js';

function pkg(over: Partial<Package>): Package {
  return {
    id: over.name ?? 'p',
    name: 'p',
    type: 'library',
    ecosystem: 'npm',
    locations: [],
    licenses: [],
    dependsOn: [],
    findings: [],
    properties: {},
    ...over,
  } as Package;
}

describe('summarizeInventory', () => {
  it('names the gaps an incomplete inventory has and counts the findings on its packages', () => {
    const inv = {
      artifact: { name: 'layer.zip' },
      complete: false,
      findings: [],
      packages: [
        pkg({ name: 'ok' }),
        pkg({
          name: 'lodash',
          findings: [
            {
              code: 'METADATA_INCOMPLETE',
              severity: 'error',
              path: 'nodejs/node_modules/lodash.js',
              message: 'no package.json',
            },
          ],
        }),
        pkg({
          name: 'fixture',
          findings: [
            { code: 'METADATA_INCOMPLETE', severity: 'warning', path: 'x/f.js', message: 'deep' },
          ],
        }),
      ],
    } as unknown as Inventory;
    const text = summarizeInventory(inv);
    expect(text).toContain(
      '  inventory incomplete, 1 gap: nodejs/node_modules/lodash.js METADATA_INCOMPLETE; 2 findings\n'
    );
    expect(summarizeInventory({ ...inv, complete: true })).toContain(
      '  inventory complete; 2 findings\n'
    );
  });
});
