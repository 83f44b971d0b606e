import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { digest, fnArn, lvArn } from '../estate/testing/estate.js';
import {
  CHANGE_KINDS,
  computeChanges,
  DEFAULT_FAIL_ON,
  failingKinds,
  parseFailOn,
  type PackageCandidate,
} from './changes.js';
import type { ScanFunction } from '../scan/result.js';
import { compileDeny, matchesDeny } from '../verify/checks/packages.js';
import { E, INVENTORIES, JOB, PROFILE, recorded, scans } from './testing/scans.js';

const denyEventStream = (p: PackageCandidate) => p.key === 'pkg:npm/event-stream';

describe('computeChanges', () => {
  const { a, b } = scans();
  const c = computeChanges(a, b, {
    inventoryOf: (d) => INVENTORIES.get(d),
    isDenied: denyEventStream,
  });

  it('catches a version republished under the same number, with what changed in it', () => {
    expect(c.digestsChanged).toHaveLength(1);
    const d = c.digestsChanged[0]!;
    expect(d).toMatchObject({
      arn: lvArn(E, 'base', 1),
      from: digest('base-1'),
      to: digest('base-1-republished'),
      usedBy: [fnArn(E, 'a')],
    });
    expect(d.diff!.added.map((p) => `${p.name}@${p.version}`)).toEqual(['event-stream@3.3.6']);
  });

  it('lists new digests, new and deleted layer versions and functions', () => {
    expect(c.digestsNew.map((d) => [d.digest, d.layerVersions])).toEqual(
      [
        [digest('base-1-republished'), [lvArn(E, 'base', 1)]],
        [digest('base-3'), [lvArn(E, 'base', 3)]],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1))
    );
    expect(c.layerVersionsAdded.map((l) => l.arn)).toEqual([lvArn(E, 'base', 3)]);
    expect(c.layerVersionsRemoved.map((l) => l.arn)).toEqual([lvArn(E, 'old', 1)]);
    expect(c.functionsAdded).toEqual([fnArn(E, 'new')]);
    expect(c.functionsRemoved).toEqual([fnArn(E, 'gone')]);
  });

  it('says which functions moved between versions', () => {
    expect(
      c.functionsMoved.map((m) => [
        m.function.split(':')[6],
        m.layer.name,
        m.from?.version,
        m.to?.version,
      ])
    ).toEqual([
      ['b', 'base', 2, 3],
      ['b', 'tools', 1, 2],
    ]);
  });

  it('finds signing jobs and profiles revoked since', () => {
    expect(c.signingRevoked).toEqual([
      { scope: 'job', arn: JOB('j1'), before: 'not-revoked', layerVersions: [lvArn(E, 'base', 1)] },
      {
        scope: 'profile',
        arn: PROFILE,
        before: 'not-revoked',
        layerVersions: [1, 2, 3].map((v) => lvArn(E, 'base', v)),
      },
    ]);
  });

  it('finds packages the policy denies that were not deployed before', () => {
    expect(c.packagesDenied).toEqual([
      {
        key: 'pkg:npm/event-stream',
        ecosystem: 'npm',
        name: 'event-stream',
        version: '3.3.6',
        purl: 'pkg:npm/event-stream@3.3.6',
        layerVersions: [lvArn(E, 'base', 1)],
        functions: [fnArn(E, 'a')],
      },
    ]);
    // Under the same policy, comparing the later scan with itself: nothing is newly denied.
    expect(
      computeChanges(b, b, { inventoryOf: (d) => INVENTORIES.get(d), isDenied: denyEventStream })
        .packagesDenied
    ).toEqual([]);
  });

  it('a denied npm package renamed in its package.json is denied by the name require finds', () => {
    const renamed = new Map(INVENTORIES);
    const inv = structuredClone(INVENTORIES.get(digest('base-1-republished'))!);
    const pkg = inv.packages.find((p) => p.name === 'event-stream')!;
    Object.assign(pkg, { name: 'es-helper', purl: 'pkg:npm/es-helper@3.3.6' });
    pkg.properties['npm:required-as'] = 'event-stream';
    renamed.set(digest('base-1-republished'), inv);
    const rule = compileDeny({ purl: 'pkg:npm/event-stream', versions: '3.3.6' });
    const isDenied = (p: PackageCandidate) =>
      p.purl !== null && matchesDeny(rule, p.purl, p.version ?? undefined, p.requiredAs ?? []);
    const denied = computeChanges(a, b, {
      inventoryOf: (d) => renamed.get(d),
      isDenied,
    }).packagesDenied;
    expect(denied.map((d) => [d.purl, d.requiredAs])).toEqual([
      ['pkg:npm/es-helper@3.3.6', ['event-stream']],
    ]);
  });

  it('measures drift growing and shrinking', () => {
    // base: a is now 2 behind (was 1), b is on the newest. tools: b caught up, "gone" left.
    expect(c.driftGrew.map((d) => [d.name, d.before, d.after])).toEqual([
      [
        'base',
        { functionsBehind: 1, versionsBehind: 1 },
        { functionsBehind: 1, versionsBehind: 2 },
      ],
    ]);
    expect(c.driftShrank.map((d) => [d.name, d.before, d.after])).toEqual([
      [
        'tools',
        { functionsBehind: 2, versionsBehind: 2 },
        { functionsBehind: 0, versionsBehind: 0 },
      ],
    ]);
  });

  it('lists new and resolved failures, and counts every kind', () => {
    expect(c.failuresNew.map((f) => f.code)).toEqual(['ACCESS_DENIED']);
    expect(c.failuresResolved.map((f) => f.code)).toEqual(['NOT_FOUND']);
    expect(Object.keys(c.summary)).toEqual([...CHANGE_KINDS]);
    expect(c.summary).toMatchObject({
      'digest-changed': 1,
      'signing-revoked': 2,
      'function-moved': 2,
    });
    expect(c.unavailable).toEqual([]);
  });

  it('is empty between a scan and itself', () => {
    const same = computeChanges(a, a, {
      inventoryOf: (d) => INVENTORIES.get(d),
      isDenied: denyEventStream,
    });
    expect(Object.values(same.summary).every((n) => n === 0)).toBe(true);
  });

  it("gives the same changes when the later scan holds the earlier scan's own records", () => {
    const options = { inventoryOf: (d: string) => INVENTORIES.get(d), isDenied: denyEventStream };
    // As a scan read beside the one after it: a record in both is one object. Here a's own
    // record of function a stands in b for b's (which differs only in its layer's digest).
    const shared = { ...b, result: { ...b.result, functions: [...b.result.functions] } };
    const at = shared.result.functions.findIndex((f) => f.name === 'a');
    shared.result.functions[at] = a.result.functions.find((f) => f.name === 'a')!;
    expect(computeChanges(a, shared, options)).toEqual(
      computeChanges(a, structuredClone(shared), options)
    );
    // Records without a Handler, shared or copied, are counted as not compared all the same.
    const unrecorded = structuredClone(a);
    for (const f of unrecorded.result.functions) delete (f as Partial<ScanFunction>).handler;
    const alone = computeChanges(unrecorded, unrecorded, options);
    expect(alone).toEqual(computeChanges(unrecorded, structuredClone(unrecorded), options));
    expect(alone.unavailable).toContainEqual(
      `scan 1 recorded no Handlers (scanned by an earlier lamina): Handler changes of ${unrecorded.result.functions.length} function versions not compared`
    );
  });

  it('says what it could not compare', () => {
    const unverified = recorded(3, b.result, null);
    const u = computeChanges(a, unverified, {
      inventoryOf: () => undefined,
      isDenied: denyEventStream,
    });
    expect(u.signingRevoked).toEqual([]);
    expect(u.unavailable.some((x) => x.includes('no signing status'))).toBe(true);
    expect(u.unavailable.find((x) => x.startsWith('no inventory recorded'))).toContain(
      lvArn(E, 'base', 3)
    );
    // Without inventories a republished version is still caught, without its diff.
    expect(u.digestsChanged[0]!.diff).toBeNull();
  });
});

describe('function-environment', () => {
  /** Scans a and b with function `name`'s environment set as given in each. */
  function withEnvironment(
    before: ScanFunction['environment'],
    after: ScanFunction['environment'],
    name = 'a'
  ) {
    const { a, b } = scans();
    const set = (r: typeof a, env: ScanFunction['environment']) => {
      const functions = r.result.functions.map((f) =>
        f.arn === fnArn(E, name) && env ? { ...f, environment: env } : f
      );
      return recorded(r.info.id, { ...r.result, functions }, r.signing);
    };
    return computeChanges(set(a, before), set(b, after)).functionsEnvironment;
  }
  const hook = { name: 'NODE_OPTIONS', value: '--require /opt/nodejs/hook.js' };
  const maps = { name: 'NODE_OPTIONS', value: '--enable-source-maps' };
  const wrapper = { name: 'AWS_LAMBDA_EXEC_WRAPPER', value: '/opt/otel-instrument' };

  it('reports variables that load code set since, or set to another value, and only those', () => {
    expect(withEnvironment(undefined, { loaders: [hook] })).toEqual([
      { function: fnArn(E, 'a'), loaders: [hook], before: [] },
    ]);
    expect(withEnvironment({ loaders: [maps, wrapper] }, { loaders: [hook, wrapper] })).toEqual([
      { function: fnArn(E, 'a'), loaders: [hook], before: [maps, wrapper] },
    ]);
  });

  it('reports variables Lambda stopped returning, once', () => {
    const unread = { unread: 'KMSAccessDeniedException: denied' };
    expect(withEnvironment({ loaders: [maps] }, unread)).toEqual([
      { function: fnArn(E, 'a'), loaders: [], unread: unread.unread, before: [maps] },
    ]);
    expect(withEnvironment(unread, unread)).toEqual([]);
  });

  it('a version published since that sets a variable no version of the function set is a change', () => {
    const { a, b } = scans();
    const latest = b.result.functions.find((f) => f.arn === fnArn(E, 'a'))!;
    /** Function a's version `v` with `env`, as a published version of it. */
    const version = (v: string, env: ScanFunction['environment']): ScanFunction => ({
      ...latest,
      arn: fnArn(E, 'a').replace('$LATEST', v),
      version: v,
      ...(env ? { environment: env } : {}),
    });
    const withVersions = (before: ScanFunction[], after: ScanFunction[]) => {
      const add = (r: typeof a, extra: ScanFunction[]) =>
        recorded(
          r.info.id,
          { ...r.result, functions: [...r.result.functions, ...extra] },
          r.signing
        );
      return computeChanges(add(a, before), add(b, after)).functionsEnvironment;
    };
    // Published with a hook ($LATEST left as it was, an alias moved to the version).
    expect(withVersions([], [version('7', { loaders: [hook] })])).toEqual([
      {
        function: fnArn(E, 'a').replace('$LATEST', '7'),
        loaders: [hook],
        before: [],
        comparedWith: fnArn(E, 'a'),
      },
    ]);
    // Published with nothing new, or with what an earlier version of the function set: not one.
    expect(withVersions([], [version('7', undefined)])).toEqual([]);
    expect(
      withVersions([version('6', { loaders: [hook] })], [version('7', { loaders: [hook] })])
    ).toEqual([]);
  });

  /** A function as a scan by a lamina that recorded neither environments nor Handlers has it. */
  const older = (f: ScanFunction): ScanFunction => {
    const copy = { ...f };
    delete copy.environment;
    delete copy.handler;
    return copy;
  };

  it('a scan that recorded no environments is not compared, and says so instead of a change', () => {
    const { a, b } = scans();
    const hooked = (f: ScanFunction): ScanFunction =>
      f.arn === fnArn(E, 'a') ? { ...f, environment: { loaders: [hook] } } : f;
    const published: ScanFunction = {
      ...b.result.functions.find((f) => f.arn === fnArn(E, 'a'))!,
      arn: fnArn(E, 'a').replace('$LATEST', '7'),
      version: '7',
      environment: { loaders: [wrapper] },
    };
    const earlier = recorded(
      a.info.id,
      { ...a.result, functions: a.result.functions.map(older) },
      a.signing
    );
    const later = recorded(
      b.info.id,
      { ...b.result, functions: [...b.result.functions.map(hooked), published] },
      b.signing
    );
    const c = computeChanges(earlier, later);
    expect(c.functionsEnvironment).toEqual([]);
    expect(c.summary['function-environment']).toBe(0);
    expect(failingKinds(c, new Set(DEFAULT_FAIL_ON))).not.toContain('function-environment');
    // a and b are in both scans, a:7 was published since: 3 versions.
    expect(c.unavailable).toContain(
      'scan 1 recorded no environments (scanned by an earlier lamina): environment changes of 3 function versions not compared'
    );
    // The other way round (a later scan by an earlier lamina) compares nothing either.
    const back = computeChanges(
      recorded(3, later.result, b.signing),
      recorded(4, earlier.result, a.signing)
    );
    expect(back.functionsEnvironment).toEqual([]);
    expect(back.unavailable.some((u) => u.startsWith('scan 4 recorded no environments'))).toBe(
      true
    );
  });

  it('a scan that recorded environments only where set: a version without one set none', () => {
    const { a, b } = scans();
    // Recorded before Handlers were: the function b's variable says environments were recorded.
    const earlier = recorded(
      a.info.id,
      {
        ...a.result,
        functions: a.result.functions.map((f) =>
          f.arn === fnArn(E, 'b') ? { ...older(f), environment: { loaders: [maps] } } : older(f)
        ),
      },
      a.signing
    );
    const later = recorded(
      b.info.id,
      {
        ...b.result,
        functions: b.result.functions.map((f) =>
          f.arn === fnArn(E, 'a') ? { ...f, environment: { loaders: [hook] } } : f
        ),
      },
      b.signing
    );
    const c = computeChanges(earlier, later);
    expect(c.functionsEnvironment).toEqual([
      { function: fnArn(E, 'a'), loaders: [hook], before: [] },
    ]);
    expect(c.unavailable.filter((u) => u.includes('environments'))).toEqual([]);
  });

  it('removing a variable, keeping one, or a function added with one is not this kind', () => {
    expect(withEnvironment({ loaders: [hook, wrapper] }, { loaders: [wrapper] })).toEqual([]);
    expect(withEnvironment({ loaders: [hook] }, { loaders: [hook] })).toEqual([]);
    expect(withEnvironment(undefined, { loaders: [hook] }, 'new')).toEqual([]);
  });
});

describe('function-handler', () => {
  /** A function as a scan that did not record Handlers (or of an image) has it. */
  const noHandler = (f: ScanFunction): ScanFunction => {
    const copy = { ...f };
    delete copy.handler;
    return copy;
  };
  /** The Handler of a function in a scan; undefined: that scan recorded none. */
  type Handler = ScanFunction['handler'];
  /**
   * Scans a and b with function `name`'s Handler as given in each, and its Runtime (one for both
   * scans, or the earlier's and the later's); every other function as in the other scan.
   */
  function withHandler(
    before: Handler,
    after: Handler,
    runtime: string | [string, string] = 'nodejs20.x',
    name = 'a'
  ) {
    const { a, b } = scans();
    const [ra, rb] = typeof runtime === 'string' ? [runtime, runtime] : runtime;
    const set = (r: typeof a, handler: Handler, rt: string) => {
      const functions = r.result.functions.map((f): ScanFunction => {
        if (f.arn !== fnArn(E, name))
          return { ...f, runtime: 'nodejs20.x', handler: 'index.handler' };
        return handler === undefined ? noHandler(f) : { ...f, runtime: rt, handler };
      });
      return recorded(r.info.id, { ...r.result, functions }, r.signing);
    };
    return computeChanges(set(a, before, ra), set(b, after, rb));
  }

  it('reports a Handler that changed, with what the runtime now loads for it', () => {
    const c = withHandler('index.handler', '/opt/share/doc/x.handler');
    expect(c.functionsHandler).toEqual([
      {
        function: fnArn(E, 'a'),
        runtime: 'nodejs20.x',
        runtimeBefore: 'nodejs20.x',
        from: 'index.handler',
        to: '/opt/share/doc/x.handler',
        target: 'outside',
        loads:
          "/opt/share/doc/x (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
      },
    ]);
    expect(c.summary['function-handler']).toBe(1);
    expect(c.unavailable).toEqual([]);
    // A rename within the function's own code is a change too: other code runs at every start.
    expect(withHandler('index.handler', 'app.main').functionsHandler).toMatchObject([
      { from: 'index.handler', to: 'app.main', target: 'own' },
    ]);
    expect(withHandler('app.handler', 'cProfile.run', 'python3.12').functionsHandler).toMatchObject(
      [{ to: 'cProfile.run', target: 'outside' }]
    );
    expect(withHandler('index.handler', null).functionsHandler).toMatchObject([
      { from: 'index.handler', to: null, target: 'unknown' },
    ]);
  });

  it('the same Handler now read by a runtime of another language is a change', () => {
    // provided.al2023 hands it to the bootstrap; nodejs20.x loads /opt/share/doc/x.js.
    const x = '/opt/share/doc/x.handler';
    expect(withHandler(x, x, ['provided.al2023', 'nodejs20.x']).functionsHandler).toMatchObject([
      {
        runtime: 'nodejs20.x',
        runtimeBefore: 'provided.al2023',
        from: x,
        to: x,
        target: 'outside',
      },
    ]);
    // A newer version of the same language reads it as the older did.
    expect(withHandler(x, x, ['nodejs18.x', 'nodejs20.x']).functionsHandler).toEqual([]);
    expect(withHandler(x, x, ['provided.al2', 'provided.al2023']).functionsHandler).toEqual([]);
  });

  it('a version published since with a Handler no version of the function had is a change', () => {
    const { a, b } = scans();
    const latest = (r: typeof a) => r.result.functions.find((f) => f.arn === fnArn(E, 'a'))!;
    /** Function a's version `v` with `handler`, as a published version of it. */
    const version = (r: typeof a, v: string, handler: string): ScanFunction => ({
      ...latest(r),
      arn: fnArn(E, 'a').replace('$LATEST', v),
      version: v,
      handler,
    });
    const x = '/opt/share/doc/x.handler';
    const withVersions = (before: ScanFunction[], after: ScanFunction[]) => {
      const norm = (r: typeof a, extra: ScanFunction[]) =>
        recorded(
          r.info.id,
          {
            ...r.result,
            functions: [
              ...r.result.functions.map((f) => ({
                ...f,
                runtime: 'nodejs20.x',
                handler: 'index.handler',
              })),
              ...extra,
            ],
          },
          r.signing
        );
      return computeChanges(norm(a, before), norm(b, after));
    };
    // Published with a layer's data file as Handler ($LATEST set back, an alias moved to it).
    expect(withVersions([], [version(b, '7', x)]).functionsHandler).toEqual([
      {
        function: fnArn(E, 'a').replace('$LATEST', '7'),
        runtime: 'nodejs20.x',
        runtimeBefore: 'nodejs20.x',
        from: 'index.handler',
        to: x,
        comparedWith: fnArn(E, 'a'),
        target: 'outside',
        loads:
          "/opt/share/doc/x (as is, .js, .mjs or .cjs), outside the function's directory /var/task",
      },
    ]);
    // Published as $LATEST is, or with the Handler an earlier version had: not a change.
    expect(withVersions([], [version(b, '7', 'index.handler')]).functionsHandler).toEqual([]);
    expect(
      withVersions([version(a, '3', 'v1.handler')], [version(b, '7', 'v1.handler')])
        .functionsHandler
    ).toEqual([]);
  });

  it('the same Handler, or a function added, is not this kind', () => {
    expect(withHandler('/opt/x.handler', '/opt/x.handler').functionsHandler).toEqual([]);
    // new was not in the earlier scan.
    expect(
      withHandler('index.handler', 'other.handler', 'nodejs20.x', 'new').functionsHandler
    ).toEqual([]);
  });

  it('a scan that recorded no Handler is not compared, and says so instead of a change', () => {
    const c = withHandler(undefined, '/opt/share/doc/x.handler');
    expect(c.functionsHandler).toEqual([]);
    expect(c.unavailable).toEqual([
      'scan 1 recorded no Handlers (scanned by an earlier lamina): Handler changes of 1 function version not compared',
    ]);
  });

  it('image functions have no Handler: neither a change nor a gap', () => {
    const { a, b } = scans();
    const image = (r: typeof a) =>
      recorded(
        r.info.id,
        {
          ...r.result,
          functions: r.result.functions.map((f): ScanFunction => {
            // As a lamina that records every version's environment writes one that sets none.
            return {
              ...noHandler(f),
              packageType: 'Image',
              runtime: null,
              environment: { loaders: [] },
            };
          }),
        },
        r.signing
      );
    const c = computeChanges(image(a), image(b));
    expect(c.functionsHandler).toEqual([]);
    expect(c.unavailable).toEqual([]);
  });

  it('fails by default: the runtime loads other code', () => {
    const c = withHandler('index.handler', '/opt/share/doc/x.handler');
    expect(failingKinds(c, new Set(DEFAULT_FAIL_ON))).toContain('function-handler');
  });
});

describe('--fail-on', () => {
  const { a, b } = scans();
  const c = computeChanges(a, b, { inventoryOf: (d) => INVENTORIES.get(d) });

  it('selects kinds, any or none', () => {
    expect([...parseFailOn('digest-changed, signing-revoked')]).toEqual([
      'digest-changed',
      'signing-revoked',
    ]);
    expect(parseFailOn('any').size).toBe(CHANGE_KINDS.length);
    expect(parseFailOn('none').size).toBe(0);
    try {
      parseFailOn('digest-changed,everything');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('BAD_ARGUMENT');
    }
  });

  it('fails only on selected kinds that occurred', () => {
    expect(failingKinds(c, parseFailOn('digest-changed,package-denied'))).toEqual([
      'digest-changed',
    ]);
    expect(failingKinds(c, parseFailOn('none'))).toEqual([]);
    const none = computeChanges(a, a);
    expect(failingKinds(none, parseFailOn('any'))).toEqual([]);
  });
});
