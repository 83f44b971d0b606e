import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import type { ScanResult } from './result.js';
import { checkShardSet, mergeShardResults } from './shards.js';

const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1'];

/** Shard `index` of two, unless `over` says otherwise. */
const shard = (over: Partial<ScanResult> = {}, index = 1): ScanResult => ({
  schemaVersion: 1,
  tool: { name: 'lamina', version: '1.0.0' },
  scope: { accounts: ['111111111111'], regions: ['us-east-1'] },
  shard: { index, count: 2, accounts: ACCOUNTS, regions: REGIONS },
  functions: [],
  layers: [],
  failures: [],
  drift: { layers: [], digestMismatches: [] },
  ...over,
});

const fn = (name: string): ScanResult['functions'][number] => ({
  account: '111111111111',
  region: 'us-east-1',
  name,
  arn: `arn:aws:lambda:us-east-1:111111111111:function:${name}:$LATEST`,
  version: '$LATEST',
  runtime: 'nodejs20.x',
  architectures: ['x86_64'],
  packageType: 'Zip',
  codeSigningConfig: null,
  layers: [],
});

type Version = ScanResult['layers'][number]['versions'][number];

/** A layer version in us-east-1 that was not read, unless `over` says otherwise. */
const layerVersion = (over: Partial<Version> & Pick<Version, 'arn' | 'version'>): Version => ({
  region: 'us-east-1',
  listed: false,
  digest: null,
  codeSha256: null,
  size: null,
  signingProfileVersionArn: null,
  signingJobArn: null,
  status: 'failed',
  failure: null,
  sbom: null,
  packageCount: null,
  inventoryComplete: null,
  usedBy: [],
  ...over,
});

/** `f` as a function of the other account, which shard 2 scans. */
const ofOther = (f: ScanResult['functions'][number]): ScanResult['functions'][number] => ({
  ...f,
  account: '222222222222',
  arn: f.arn.replace(':111111111111:', ':222222222222:'),
});

/** Shard 2 of another account, with nothing in it. */
const other = shard({ scope: { accounts: ['222222222222'], regions: ['us-east-1'] } }, 2);

/** `first` as shard 1 merged with {@link other}: 'merged', or why the merge refused (exit 2). */
const merged = (first: Partial<ScanResult>): string => {
  try {
    mergeShardResults([shard(first), other]);
  } catch (err) {
    expect(err).toMatchObject({ code: 'BAD_INPUT' });
    return (err as Error).message;
  }
  return 'merged';
};

describe('mergeShardResults', () => {
  it('refuses shards that do not fit together', () => {
    const bad = (shards: ScanResult[]) => {
      try {
        mergeShardResults(shards);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    expect(bad([])).toBeInstanceOf(UsageError);
    expect(
      bad([shard(), shard({ scope: { accounts: [], regions: ['eu-west-1'] } }, 2)])
    ).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('different regions') });
    expect(bad([shard(), shard({ tool: { name: 'lamina', version: '2.0.0' } }, 2)])).toMatchObject({
      message: expect.stringContaining('different lamina versions'),
    });
    expect(
      bad([shard({ functions: [fn('a')] }), shard({ functions: [fn('a')] }, 2)])
    ).toMatchObject({
      message: expect.stringContaining('in two shards'),
    });
    // Not a complete set of one scan's shards.
    expect(bad([shard()])).toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('shard 2/2 missing'),
    });
    const unsharded = shard();
    delete unsharded.shard;
    expect(bad([unsharded, shard({}, 2)])).toMatchObject({
      message: expect.stringContaining("not the output of 'lamina scan --shard I/N'"),
    });
  });

  it('sorts functions across shards and dedupes failures every shard saw', () => {
    const failure = {
      scope: 'account' as const,
      subject: 'arn:aws:iam::2:role/R',
      code: 'ACCESS_DENIED',
      reason: 'no',
    };
    const { result } = mergeShardResults([
      shard({ functions: [fn('c'), fn('b')], failures: [failure] }),
      shard(
        {
          functions: [ofOther(fn('a'))],
          failures: [failure],
          scope: { accounts: ['222222222222'], regions: ['us-east-1'] },
        },
        2
      ),
    ]);
    expect(result.functions.map((f) => f.name)).toEqual(['b', 'c', 'a']);
    // As one unsharded scan writes it.
    expect(result).not.toHaveProperty('shard');
    expect(result.failures).toEqual([failure]);
    expect(result.scope.accounts).toEqual(['111111111111', '222222222222']);
  });
});

describe('mergeShardResults of shards that do not hold together', () => {
  const V = 'arn:aws:lambda:us-east-1:111111111111:layer:base:3';
  const withLayer = (name: string, arn = V): ScanResult['functions'][number] => ({
    ...fn(name),
    layers: [{ arn, name: 'base', owner: '111111111111', version: 3, digest: null }],
  });
  const version = (usedBy: string[]): ScanResult['layers'][number] => ({
    name: 'base',
    owner: '111111111111',
    regions: ['us-east-1'],
    versions: [
      layerVersion({
        arn: V,
        version: 3,
        listed: true,
        failure: { code: 'API_ERROR', reason: 'not fetched' },
        usedBy,
      }),
    ],
  });

  it('merges a shard whose functions and layer versions agree', () => {
    const a = withLayer('a');
    expect(
      merged({ functions: [a, withLayer('b')], layers: [version([a.arn, fn('b').arn])] })
    ).toBe('merged');
    // What is not a layer version's ARN is never listed: the function shows it as it came.
    const odd = {
      ...fn('c'),
      layers: [
        { arn: 'not-a-layer-arn', name: 'not-a-layer-arn', owner: '', version: 0, digest: null },
      ],
    };
    expect(merged({ functions: [odd], layers: [] })).toBe('merged');
  });

  it('refuses a layer reference named or read otherwise than a scan writes it', () => {
    const a = withLayer('a');
    const odd = {
      arn: 'not-a-layer-arn',
      name: 'not-a-layer-arn',
      owner: '',
      version: 0,
      digest: null,
    };
    const D = `sha256:${'a'.repeat(64)}`;
    // Content for what is not a layer version: no scan reads one.
    expect(
      merged({ functions: [{ ...fn('c'), layers: [{ ...odd, digest: D }] }], layers: [] })
    ).toBe(
      `shard 1/2 does not hold together: ${fn('c').arn} sees "not-a-layer-arn", not a layer version ARN, as ${D}`
    );
    expect(
      merged({
        functions: [{ ...fn('c'), layers: [{ ...odd, owner: '111111111111' }] }],
        layers: [],
      })
    ).toBe(
      `shard 1/2 does not hold together: ${fn('c').arn} names "not-a-layer-arn" {"name":"not-a-layer-arn","owner":"111111111111","version":0}, and a scan names it {"name":"not-a-layer-arn","owner":"","version":0}`
    );
    expect(
      merged({
        functions: [{ ...a, layers: [{ ...a.layers[0]!, version: 4 }] }],
        layers: [version([a.arn])],
      })
    ).toBe(
      `shard 1/2 does not hold together: ${a.arn} names "${V}" {"name":"base","owner":"111111111111","version":4}, and a scan names it {"name":"base","owner":"111111111111","version":3}`
    );
  });

  it('refuses a layer version filed under another layer, Region or number than its ARN', () => {
    const a = withLayer('a');
    const moved = (edit: (l: ScanResult['layers'][number]) => void): string => {
      const layer = version([a.arn]);
      edit(layer);
      return merged({ functions: [a], layers: [layer] });
    };
    expect(moved(() => undefined)).toBe('merged');
    expect(moved((l) => (l.name = 'other'))).toBe(
      `shard 1/2 does not hold together: it lists ${V} as version 3 of 111111111111's other in us-east-1`
    );
    expect(moved((l) => (l.owner = '222222222222'))).toBe(
      `shard 1/2 does not hold together: it lists ${V} as version 3 of 222222222222's base in us-east-1`
    );
    expect(moved((l) => (l.versions[0]!.region = 'eu-west-1'))).toBe(
      `shard 1/2 does not hold together: it lists ${V} as version 3 of 111111111111's base in eu-west-1`
    );
    expect(moved((l) => (l.versions[0]!.version = 2))).toBe(
      `shard 1/2 does not hold together: it lists ${V} as version 2 of 111111111111's base in us-east-1`
    );
    expect(moved((l) => (l.versions[0]!.arn = 'not-a-layer-arn'))).toBe(
      `shard 1/2 does not hold together: it lists "not-a-layer-arn", which is not a layer version ARN`
    );
  });

  it('refuses a function of a pair its shard did not scan, or not where its ARN says', () => {
    // Shard 1 of 2 scans 111111111111/us-east-1; the other account's pair is shard 2's.
    expect(merged({ functions: [ofOther(fn('a'))] })).toBe(
      `shard 1/2 does not hold together: it holds ${ofOther(fn('a')).arn}, and 222222222222/us-east-1 is not a pair it scanned`
    );
    expect(merged({ functions: [{ ...fn('a'), region: 'eu-west-1' }] })).toBe(
      `shard 1/2 does not hold together: ${fn('a').arn} is not the ARN of a function of 111111111111 in eu-west-1`
    );
    expect(merged({ functions: [{ ...fn('a'), arn: 'a' }] })).toBe(
      `shard 1/2 does not hold together: a is not the ARN of a function of 111111111111 in us-east-1`
    );
    // Checked for each function, not only the first of its pair.
    const moved = { ...fn('b'), arn: fn('b').arn.replace('us-east-1', 'eu-west-1') };
    expect(merged({ functions: [fn('a'), moved] })).toBe(
      `shard 1/2 does not hold together: ${moved.arn} is not the ARN of a function of 111111111111 in us-east-1`
    );
    // Its pair's start, and then not a function ARN at all.
    const odd = { ...fn('b'), arn: `${fn('b').arn}:x:y` };
    expect(merged({ functions: [fn('a'), odd] })).toBe(
      `shard 1/2 does not hold together: ${odd.arn} is not the ARN of a function of 111111111111 in us-east-1`
    );
  });

  it('refuses a function whose layer version its shard does not list', () => {
    expect(merged({ functions: [withLayer('a')], layers: [] })).toBe(
      `shard 1/2 does not hold together: ${fn('a').arn} attaches ${V}, which it does not list`
    );
  });

  it("refuses a layer version's users that are not its shard's functions attaching it", () => {
    const a = withLayer('a');
    expect(merged({ functions: [fn('b')], layers: [version([fn('b').arn])] })).toBe(
      `shard 1/2 does not hold together: it says ${fn('b').arn} uses ${V}, and no function of it attaches that`
    );
    expect(merged({ functions: [a, withLayer('b')], layers: [version([a.arn])] })).toBe(
      `shard 1/2 does not hold together: ${fn('b').arn} attaches ${V}, and the version's users leave it out`
    );
    expect(merged({ functions: [a], layers: [version([a.arn, a.arn])] })).toBe(
      `shard 1/2 does not hold together: ${V}'s users are not each named once, in order`
    );
  });

  it('refuses a function that sees other content than its shard, or shards that read a version differently', () => {
    const D = `sha256:${'a'.repeat(64)}`;
    const a = withLayer('a');
    expect(
      merged({
        functions: [{ ...a, layers: [{ ...a.layers[0]!, digest: D }] }],
        layers: [version([a.arn])],
      })
    ).toBe(
      `shard 1/2 does not hold together: ${a.arn} sees ${V} as ${D}, and it lists that as null`
    );
    const read = (digest: string): ScanResult['layers'] => {
      const layer = version([]);
      Object.assign(layer.versions[0]!, { digest, status: 'inventoried', failure: null });
      return [layer];
    };
    expect(() =>
      mergeShardResults([
        shard({ layers: read(D) }),
        { ...other, layers: read(`sha256:${'b'.repeat(64)}`) },
      ])
    ).toThrow(
      `shards 1/2 and 2/2 read different content for ${V} (${D}; sha256:${'b'.repeat(64)})`
    );
    // The same content read by both, or read by one only, merges.
    expect(
      mergeShardResults([shard({ layers: read(D) }), { ...other, layers: read(D) }]).result.layers
    ).toHaveLength(1);
    expect(
      mergeShardResults([shard({ layers: [version([])] }), { ...other, layers: read(D) }]).result
        .layers[0]!.versions[0]!.digest
    ).toBe(D);
  });
});

describe('mergeShardResults of image shards', () => {
  const REG = '111111111111.dkr.ecr.us-east-1.amazonaws.com';
  const D = `sha256:${'c'.repeat(64)}`;
  type Repository = NonNullable<ScanResult['images']>[number];
  type Image = Repository['images'][number];
  const runs = (name: string, digest = D, repository = 'app'): ScanResult['functions'][number] => ({
    ...fn(name),
    packageType: 'Image',
    image: {
      uri: null,
      resolvedUri: null,
      digest,
      codeSha256: null,
      repository: `${REG}/${repository}`,
    },
  });
  const repo = (
    usedBy: string[],
    over: { name?: string; failure?: Repository['failure']; image?: Partial<Image> } = {}
  ): Repository[] => [
    {
      registry: REG,
      account: '111111111111',
      region: 'us-east-1',
      name: over.name ?? 'app',
      tagMutability: 'MUTABLE',
      imageCount: 1,
      tags: [],
      newestDigest: null,
      failure: over.failure ?? null,
      images: [
        {
          digest: D,
          tags: [],
          pushedAt: null,
          pushOrder: 1,
          imageStatus: 'ACTIVE',
          mediaType: null,
          size: null,
          architecture: 'amd64',
          usedBy,
          indexes: [],
          status: 'not-read',
          failure: null,
          sbom: null,
          packageCount: null,
          inventoryComplete: null,
          ...over.image,
        },
      ],
    },
  ];

  it("merges image functions that are their images' users, and refuses any other", () => {
    const a = runs('a');
    expect(merged({ functions: [a, runs('b')], images: repo([a.arn, fn('b').arn]) })).toBe(
      'merged'
    );
    // A scan lists the repository of each image function it read, described or not.
    expect(merged({ functions: [a], images: [] })).toBe(
      `shard 1/2 does not hold together: ${a.arn} runs an image from ${REG}/app, which it does not list`
    );
    // One whose function could not be read names none.
    const unread = { ...a, image: { ...a.image!, repository: null, digest: null } };
    expect(merged({ functions: [unread], images: [] })).toBe('merged');
    expect(merged({ functions: [a, runs('b')], images: repo([a.arn]) })).toBe(
      `shard 1/2 does not hold together: ${fn('b').arn} runs ${REG}/app@${D}, and the image's users leave it out`
    );
    expect(merged({ functions: [fn('b')], images: repo([fn('b').arn]) })).toBe(
      `shard 1/2 does not hold together: it says ${fn('b').arn} runs ${REG}/app@${D}, and no function of it does`
    );
    const elsewhere = runs('c', `sha256:${'d'.repeat(64)}`);
    expect(merged({ functions: [elsewhere], images: repo([]) })).toBe(
      `shard 1/2 does not hold together: ${elsewhere.arn} runs ${REG}/app@sha256:${'d'.repeat(64)}, which it does not list`
    );
  });

  describe('each digest read as one scan reads it', () => {
    const denied = { code: 'ACCESS_DENIED', reason: 'not allowed' };
    const archived = { imageStatus: 'ARCHIVED' };
    const read = {
      status: 'inventoried' as const,
      sbom: `sboms/${'c'.repeat(64)}.cdx.json`,
      packageCount: 3,
      inventoryComplete: true,
    };
    const mergedOf = (one: Partial<ScanResult>, two: Partial<ScanResult>) =>
      mergeShardResults([shard(one), { ...other, ...two }]);
    const failureOf = (failure: Image['failure']): Partial<Image> => ({
      status: 'failed',
      failure,
      architecture: null,
    });

    it('gives an archived replica the reading of the first repository that serves the image', () => {
      const a = runs('a', D, 'a-repo');
      const b = ofOther(runs('b', D, 'b-repo'));
      const { result, sbomSource } = mergedOf(
        {
          functions: [a],
          images: repo([a.arn], {
            name: 'a-repo',
            image: { ...archived, ...failureOf({ code: 'IMAGE_ARCHIVED', reason: 'archived' }) },
          }),
        },
        { functions: [b], images: repo([b.arn], { name: 'b-repo', image: read }) }
      );
      expect(result.images!.map((r) => [r.name, r.images[0]!.status, r.images[0]!.sbom])).toEqual([
        ['a-repo', 'inventoried', read.sbom],
        ['b-repo', 'inventoried', read.sbom],
      ]);
      // The SBOM is the shard's that read it, named after its repository.
      expect(sbomSource.get(read.sbom)).toBe(1);
    });

    it('fails each function of a servable repository as the one read failed, or not at all', () => {
      const a = runs('a', D, 'a-repo');
      const b = ofOther(runs('b', D, 'b-repo'));
      const pull = { code: 'REGISTRY_ERROR', reason: 'pull refused' };
      const failed = (f: typeof a) => ({ scope: 'function' as const, subject: f.arn, ...pull });
      // a-repo is read first, and the read failed: b, read fine by its own shard, fails too.
      const once = mergedOf(
        {
          functions: [a],
          images: repo([a.arn], { name: 'a-repo', image: failureOf(pull) }),
          failures: [failed(a)],
        },
        { functions: [b], images: repo([b.arn], { name: 'b-repo', image: read }) }
      );
      expect(once.result.failures).toEqual([failed(a), failed(b)]);
      expect(once.result.images!.map((r) => r.images[0]!.status)).toEqual(['failed', 'failed']);
      expect(once.sbomSource.size).toBe(0);
      // a-repo read fine: b's own shard's failed read is not one scan's.
      const fine = mergedOf(
        { functions: [a], images: repo([a.arn], { name: 'a-repo', image: read }) },
        {
          functions: [b],
          images: repo([b.arn], { name: 'b-repo', image: failureOf(pull) }),
          failures: [failed(b)],
        }
      );
      expect(fine.result.failures).toEqual([]);
      expect(fine.sbomSource.get(read.sbom)).toBe(0);
    });

    it("describes a repository as the first function running an image from it: that one's shard", () => {
      const a = runs('a');
      const b = ofOther(runs('b'));
      const failed = (f: typeof a) => ({ scope: 'function' as const, subject: f.arn, ...denied });
      // a's shard could not describe app; b's shard could, and read the image: one scan
      // describes it as a, the first by ARN, and reads nothing there.
      const { result, sbomSource } = mergedOf(
        {
          functions: [a],
          images: repo([a.arn], { failure: denied, image: failureOf(denied) }),
          failures: [failed(a)],
        },
        { functions: [b], images: repo([b.arn], { image: read }) }
      );
      expect(result.images!.map((r) => [r.failure, r.images[0]!.status])).toEqual([
        [denied, 'failed'],
      ]);
      expect(result.images![0]!.images[0]!.usedBy).toEqual([a.arn, b.arn]);
      expect(result.failures).toEqual([failed(a), failed(b)]);
      expect(sbomSource.size).toBe(0);
    });

    it('says what one scan says of a digest no repository serves: the last archived one', () => {
      const a = runs('a', D, 'a-repo');
      const b = ofOther(runs('b', D, 'b-repo'));
      // a-repo could not be described, b-repo has it archived: one scan tries a-repo first.
      const { result, sbomSource } = mergedOf(
        {
          functions: [a],
          images: repo([a.arn], { name: 'a-repo', failure: denied, image: failureOf(denied) }),
        },
        {
          functions: [b],
          images: repo([b.arn], {
            name: 'b-repo',
            image: { ...archived, ...failureOf({ code: 'IMAGE_ARCHIVED', reason: 'x' }) },
          }),
        }
      );
      const want = {
        code: 'IMAGE_ARCHIVED',
        reason: `${REG}/b-repo@${D} is archived in ECR; restore it to read it`,
      };
      expect(result.images!.map((r) => r.images[0]!.failure)).toEqual([want, want]);
      expect(sbomSource.size).toBe(0);
    });
  });
});

describe('checkShardSet', () => {
  const plan = (index: number, count = 3, accounts = ['1', '2'], regions = ['a', 'b']) => ({
    index,
    count,
    accounts,
    regions,
  });
  const refusal = (plans: Parameters<typeof checkShardSet>[0]): string => {
    try {
      checkShardSet(plans);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ code: 'BAD_INPUT' });
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('accepts every shard of one scan, each once, in any order', () => {
    expect(refusal([plan(3), plan(1), plan(2)])).toBe('accepted');
    expect(refusal([plan(1, 1)])).toBe('accepted');
  });

  it('names the shards missing, and counts the rest past ten', () => {
    expect(refusal([plan(1), plan(3)])).toBe(
      'shard 2/3 missing: their accounts and regions would be left out of the merged scan'
    );
    expect(refusal([plan(2, 4)])).toContain('shards 1/4, 3/4, 4/4 missing');
    // A count no set of directories could reach is refused without counting to it.
    expect(refusal([plan(1, Number.MAX_SAFE_INTEGER)])).toMatch(
      /^shards 2\/\d+, 3\/\d+, .* 11\/\d+ and 9007199254740980 more missing/
    );
  });

  it('refuses a shard given twice, other splits, other numbering, and bad numbers', () => {
    expect(refusal([plan(1), plan(1), plan(2), plan(3)])).toBe('shard 1/3 is given twice');
    expect(refusal([plan(1), plan(2, 4)])).toBe('shards 1/3 and 2/4 split the scan differently');
    expect(refusal([plan(1), plan(2, 3, ['1', '2'], ['b', 'a']), plan(3)])).toContain(
      'numbered different regions (a b; b a)'
    );
    // One shard could not identify account 2: it numbered the pairs differently.
    expect(refusal([plan(1), plan(2, 3, ['1']), plan(3)])).toBe(
      'shards 1/3 and 2/3 numbered different accounts (only in 1/3: 2; only in 2/3: none): scan every shard again'
    );
    expect(refusal([plan(1), plan(2, 3, ['2', '1']), plan(3)])).toContain('in another order');
    for (const [index, count] of [
      [0, 3],
      [4, 3],
      [1.5, 3],
      [1, Infinity],
    ] as const)
      expect(refusal([plan(index, count)])).toContain('not a shard number');
    expect(refusal([undefined])).toContain("not the output of 'lamina scan --shard I/N'");
    expect(refusal([])).toBe('no shard results to merge');
  });
});

describe('mergeShardResults in any order', () => {
  const V = 'arn:aws:lambda:us-east-1:111111111111:layer:base:3';
  const W = 'arn:aws:lambda:us-east-1:111111111111:layer:base:4';
  const SBOM = `sboms/${'e'.repeat(64)}.cdx.json`;
  const ref = (arn: string, version: number, digest: string | null) => ({
    arn,
    name: 'base',
    owner: '111111111111',
    version,
    digest,
  });
  const record = (arn: string, version: number, usedBy: string[], over: Partial<Version>) =>
    layerVersion({ arn, version, usedBy, ...over });
  const layer = (
    versions: ScanResult['layers'][number]['versions']
  ): ScanResult['layers'][number] => ({
    name: 'base',
    owner: '111111111111',
    regions: ['us-east-1'],
    versions,
  });
  const failure = (reason: string) => ({ code: 'API_ERROR', reason });
  const a = { ...fn('a'), layers: [ref(V, 3, null)] };
  const b = {
    ...fn('b'),
    account: '222222222222',
    arn: 'arn:aws:lambda:us-east-1:222222222222:function:b:$LATEST',
    layers: [ref(V, 3, null), ref(W, 4, `sha256:${'e'.repeat(64)}`)],
  };
  // Neither shard could read V, each for its own reason; only shard 2 read W.
  const one = shard({
    functions: [a],
    layers: [layer([record(V, 3, [a.arn], { failure: failure('one') })])],
    failures: [{ scope: 'layer-version', subject: V, ...failure('one') }],
  });
  const two = shard(
    {
      scope: { accounts: ['222222222222'], regions: ['us-east-1'] },
      functions: [b],
      layers: [
        layer([
          record(V, 3, [b.arn], { failure: failure('two') }),
          record(W, 4, [b.arn], {
            digest: `sha256:${'e'.repeat(64)}`,
            status: 'inventoried',
            sbom: SBOM,
            packageCount: 1,
            inventoryComplete: true,
          }),
        ]),
      ],
      failures: [{ scope: 'layer-version', subject: V, ...failure('two') }],
    },
    2
  );

  it('keeps the answers one scan gives in any order, and names the SBOM by where the shard was given', () => {
    const forward = mergeShardResults([one, two]);
    const backward = mergeShardResults([two, one]);
    expect(JSON.stringify(backward.result)).toBe(JSON.stringify(forward.result));
    // One scan asks a's account, then b's (the pairs' order), and reports the last failure:
    // shard 2's, in either order.
    const v = forward.result.layers[0]?.versions.find((x) => x.arn === V);
    expect(v?.failure).toEqual(failure('two'));
    // And the one failure the scan lists for it says the same.
    expect(forward.result.failures).toEqual([
      { scope: 'layer-version', subject: V, ...failure('two') },
    ]);
    expect(v?.usedBy).toEqual([a.arn, b.arn].sort());
    // Listed by its owner (shard 1's pair) and used only there: the owner's failure.
    const listedOnly = (x: ScanResult): ScanResult => ({
      ...x,
      functions: x.functions.filter((f) => f.arn === a.arn),
      failures: x.failures.filter(() => x === one),
      layers: x.layers.map((l) => ({
        ...l,
        versions: l.versions
          .filter((r) => r.arn === V)
          .map((r) => ({ ...r, listed: true, usedBy: r.usedBy.filter((u) => u === a.arn) })),
      })),
    });
    const owned = mergeShardResults([listedOnly(two), listedOnly(one)]).result;
    expect(owned.layers[0]?.versions[0]?.failure).toEqual(failure('one'));
    // W's SBOM is shard 2's file: the second directory given, then the first.
    expect(forward.sbomSource.get(SBOM)).toBe(1);
    expect(backward.sbomSource.get(SBOM)).toBe(0);
  });
});
