import { describe, expect, it } from 'vitest';
import type { ScanLayerVersion, ScanResult } from './result.js';
import { scanFactShapeProblem, scanResultShapeProblem } from './shape.js';
import { scanImage, scanRepository } from './testing/images.js';

const LAYER_ARN = 'arn:aws:lambda:us-east-1:111111111111:layer:x:1';
const FN_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:f:$LATEST';
const IMAGE_FN_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:g:$LATEST';
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Every part the checks walk, each kind of optional field present. */
function scan(): ScanResult {
  return {
    schemaVersion: 1,
    tool: { name: 'lamina', version: '1.0.0' },
    scope: { accounts: ['111111111111'], regions: ['us-east-1'] },
    functions: [
      {
        account: '111111111111',
        region: 'us-east-1',
        name: 'f',
        arn: FN_ARN,
        version: '$LATEST',
        runtime: 'nodejs20.x',
        handler: 'index.handler',
        architectures: ['x86_64'],
        packageType: 'Zip',
        codeSigningConfig: { arn: 'csc', allowedPublishers: ['p'], policy: 'Enforce' },
        layers: [{ arn: LAYER_ARN, name: 'x', owner: '111111111111', version: 1, digest: DIGEST }],
        environment: { loaders: [{ name: 'NODE_OPTIONS', value: '--require /opt/x.js' }] },
      },
      {
        account: '111111111111',
        region: 'us-east-1',
        name: 'g',
        arn: IMAGE_FN_ARN,
        version: '$LATEST',
        runtime: null,
        architectures: ['arm64'],
        packageType: 'Image',
        codeSigningConfig: null,
        layers: [],
        image: {
          uri: 'repo:latest',
          resolvedUri: null,
          digest: DIGEST,
          codeSha256: null,
          repository: 'r',
          config: { entryPoint: ['/bin/sh'], workingDirectory: '/' },
        },
        environment: { unread: 'AccessDenied' },
      },
    ],
    layers: [
      {
        name: 'x',
        owner: '111111111111',
        regions: ['us-east-1'],
        versions: [
          {
            arn: LAYER_ARN,
            region: 'us-east-1',
            version: 1,
            listed: true,
            digest: DIGEST,
            codeSha256: 'qqqq',
            size: 10,
            signingProfileVersionArn: null,
            signingJobArn: null,
            status: 'inventoried',
            failure: null,
            sbom: 'sboms/a.cdx.json',
            packageCount: 1,
            inventoryComplete: true,
            usedBy: [FN_ARN],
          },
        ],
      },
    ],
    images: [
      scanRepository({
        tags: [{ tag: 'latest', digest: DIGEST, pushedAt: null }],
        images: [scanImage(DIGEST, '2026-01-01T00:00:00Z', { usedBy: [IMAGE_FN_ARN] })],
      }),
    ],
    failures: [{ scope: 'function', subject: FN_ARN, code: 'API_ERROR', reason: 'r' }],
    drift: {
      layers: [
        {
          name: 'x',
          owner: '111111111111',
          region: 'us-east-1',
          newestVersion: 1,
          newestDigest: DIGEST,
          functions: [{ arn: FN_ARN, version: 1, behind: 0 }],
        },
      ],
      digestMismatches: [],
    },
  };
}

/** A document as JSON.parse gives it: any field may be anything. */
type Doc = ReturnType<typeof JSON.parse>;

/** A copy of {@link scan} changed by `edit` (as a plain JSON document, as it is read back). */
function edited(edit: (doc: Doc) => void): unknown {
  const doc: Doc = JSON.parse(JSON.stringify(scan()));
  edit(doc);
  return doc;
}

const both = [{ driftLayers: true }, { driftLayers: false }];

describe('scanResultShapeProblem', () => {
  it.each(both)('a scan result with every optional part fits (%o)', (options) => {
    expect(scanResultShapeProblem(scan(), options)).toBeUndefined();
  });

  it('fits a scan by a lamina that recorded no handler, environment or images', () => {
    const doc = edited((d) => {
      delete d.images;
      for (const f of d.functions) {
        delete f.handler;
        delete f.environment;
        delete f.image;
      }
    });
    expect(scanResultShapeProblem(doc, { driftLayers: true })).toBeUndefined();
  });

  it.each<[string, (d: Doc) => void, string]>([
    ['not an object', (d) => (d.functions = 'x'), 'scan.functions is a string, not an array'],
    ['a missing field', (d) => delete d.scope.regions, 'scan.scope.regions is missing'],
    ['a null element', (d) => (d.failures[0] = null), 'scan.failures[0] is null, not an object'],
    [
      "a layer's name",
      (d) => (d.functions[0].layers[0].name = 7),
      'scan.functions[0].layers[0].name is a number, not a string',
    ],
    [
      'a handler',
      (d) => (d.functions[0].handler = {}),
      'scan.functions[0].handler is an object, not a string',
    ],
    [
      'an environment of neither kind',
      (d) => (d.functions[0].environment = { set: [] }),
      'scan.functions[0].environment is not an object with loaders or unread',
    ],
    [
      "an environment's loaders",
      (d) => (d.functions[0].environment.loaders = null),
      'scan.functions[0].environment.loaders is null, not an array',
    ],
    [
      "an image's entry point",
      (d) => (d.functions[1].image.config.entryPoint = '/bin/sh'),
      'scan.functions[1].image.config.entryPoint is a string, not an array',
    ],
    [
      "a layer version's digest",
      (d) => (d.layers[0].versions[0].digest = 7),
      'scan.layers[0].versions[0].digest is a number, not a string',
    ],
    [
      "an image's users",
      (d) => (d.images[0].images[0].usedBy = [null]),
      'scan.images[0].images[0].usedBy[0] is null, not a string',
    ],
    ['drift', (d) => (d.drift = []), 'scan.drift is an array, not an object'],
  ])('names the first field that does not fit: %s', (_, edit, problem) => {
    for (const options of both) expect(scanResultShapeProblem(edited(edit), options)).toBe(problem);
  });

  it('checks drift.layers only where it is read', () => {
    const doc = edited((d) => (d.drift.layers[0].functions[0].behind = '1'));
    expect(scanResultShapeProblem(doc, { driftLayers: true })).toBe(
      'scan.drift.layers[0].functions[0].behind is a string, not a number'
    );
    expect(scanResultShapeProblem(doc, { driftLayers: false })).toBeUndefined();
  });
});

describe('scanFactShapeProblem', () => {
  const signing = {
    jobArn: 'arn:aws:signer:us-east-1:111111111111:/signing-jobs/j',
    profileVersionArn: null,
    jobStatus: 'Succeeded',
    jobRevoked: false,
    profileStatus: null,
    profileRevoked: false,
  };
  const verdict = { subject: { kind: 'layer', name: 'x', arn: LAYER_ARN }, ok: true, checks: [] };

  it('fits what the history stores of a scan', () => {
    const s = scan();
    const version: Partial<ScanLayerVersion> = { ...s.layers[0]!.versions[0]! };
    delete version.usedBy;
    expect(scanFactShapeProblem('scope', s.scope)).toBeUndefined();
    expect(scanFactShapeProblem('function', s.functions[0])).toBeUndefined();
    expect(
      scanFactShapeProblem('layer-version', { name: 'x', owner: '111111111111', ...version })
    ).toBeUndefined();
    expect(scanFactShapeProblem('signing', signing)).toBeUndefined();
    expect(scanFactShapeProblem('verdict', verdict)).toBeUndefined();
    expect(
      scanFactShapeProblem('verdict', { ...verdict, subject: { kind: 'layer', name: 'x' } })
    ).toBeUndefined();
  });

  it('names the first field that does not fit, from the fact itself', () => {
    expect(scanFactShapeProblem('signing', { ...signing, jobRevoked: 'no' })).toBe(
      'jobRevoked is a string, not a boolean'
    );
    expect(scanFactShapeProblem('verdict', { ...verdict, subject: { kind: 'layer' } })).toBe(
      'subject.name is missing'
    );
    expect(scanFactShapeProblem('layer-version', scan().layers[0]!.versions[0])).toBe(
      'name is missing'
    );
    expect(scanFactShapeProblem('failure', [])).toBe('it is an array, not an object');
    expect(scanFactShapeProblem('scope', { accounts: [], regions: [1] })).toBe(
      'regions[0] is a number, not a string'
    );
  });
});
