/**
 * Whether a document read back (a scan.json given to `lamina diff` or `lamina merge`, a scan's
 * parts from the history database) has the shape of a scan result in every part those
 * commands walk: each field of the types in
 * `result.ts` and `image-result.ts` that they read, with its JSON type. A file edited by hand or
 * by another tool is bad input (exit 2) with the first field that does not fit, never a
 * TypeError deep inside the comparison (exit 3).
 *
 * Fields a lamina before this one did not write (`handler`, `environment`, `image`, `images`)
 * may be absent; when present they must fit. The package drift's parts (`drift.layerDiffs`,
 * `drift.packages`, ...) and image drift are not checked: both commands work them out again.
 */

/**
 * The first problem found in a value: where, relative to it (built only on the way out of a
 * failure, so a large scan that fits makes no path strings), and what is wrong there.
 */
type Problem = { at: string; why: string };
type Check = (v: unknown) => Problem | undefined;

const kind = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'an array'
      : typeof v === 'object'
        ? 'an object'
        : `a ${typeof v}`;
const primitive =
  (type: 'string' | 'number' | 'boolean'): Check =>
  (v) =>
    typeof v === type ? undefined : { at: '', why: `is ${kind(v)}, not a ${type}` };
const str = primitive('string');
const num = primitive('number');
const bool = primitive('boolean');
const nullable =
  (c: Check): Check =>
  (v) =>
    v === null ? undefined : c(v);
const arrayOf =
  (c: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return { at: '', why: `is ${kind(v)}, not an array` };
    for (let i = 0; i < v.length; i++) {
      const p = c(v[i]);
      if (p) return { at: `[${i}]${p.at}`, why: p.why };
    }
    return undefined;
  };
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** An object with `required` fields and, when present, `optional` ones (others are ignored). */
const obj = (required: Record<string, Check>, optional: Record<string, Check> = {}): Check => {
  const must = Object.entries(required);
  const may = Object.entries(optional);
  return (v) => {
    if (!isObject(v)) return { at: '', why: `is ${kind(v)}, not an object` };
    for (const [k, c] of must) {
      if (!Object.hasOwn(v, k)) return { at: `.${k}`, why: 'is missing' };
      const p = c(v[k]);
      if (p) return { at: `.${k}${p.at}`, why: p.why };
    }
    for (const [k, c] of may)
      if (Object.hasOwn(v, k) && v[k] !== undefined) {
        const p = c(v[k]);
        if (p) return { at: `.${k}${p.at}`, why: p.why };
      }
    return undefined;
  };
};
/** The first of `choices` whose field the value has decides its shape. */
const byField = (choices: Record<string, Check>): Check => {
  const all = Object.entries(choices);
  const why = `is not an object with ${Object.keys(choices).join(' or ')}`;
  return (v) => {
    if (isObject(v)) for (const [field, c] of all) if (Object.hasOwn(v, field)) return c(v);
    return { at: '', why };
  };
};

const strings = arrayOf(str);
const failure = nullable(obj({ code: str, reason: str }));

const functionLayer = obj({
  arn: str,
  name: str,
  owner: str,
  version: num,
  digest: nullable(str),
});

const functionImage = obj(
  {
    uri: nullable(str),
    resolvedUri: nullable(str),
    digest: nullable(str),
    codeSha256: nullable(str),
    repository: nullable(str),
  },
  {
    config: obj({}, { entryPoint: strings, command: strings, workingDirectory: str }),
  }
);

const environment = byField({
  loaders: obj({ loaders: arrayOf(obj({ name: str, value: str })) }),
  unread: obj({ unread: str }),
});

const scanFunction = obj(
  {
    account: str,
    region: str,
    name: str,
    arn: str,
    version: str,
    runtime: nullable(str),
    architectures: strings,
    packageType: str,
    codeSigningConfig: nullable(obj({ arn: str, allowedPublishers: strings, policy: str })),
    layers: arrayOf(functionLayer),
  },
  { handler: nullable(str), image: functionImage, environment }
);

const layerVersionFields = {
  arn: str,
  region: str,
  version: num,
  listed: bool,
  digest: nullable(str),
  codeSha256: nullable(str),
  size: nullable(num),
  signingProfileVersionArn: nullable(str),
  signingJobArn: nullable(str),
  status: str,
  failure,
  sbom: nullable(str),
  packageCount: nullable(num),
  inventoryComplete: nullable(bool),
};
const layerVersion = obj({ ...layerVersionFields, usedBy: strings });

const scanLayer = obj({ name: str, owner: str, regions: strings, versions: arrayOf(layerVersion) });

const image = obj({
  digest: str,
  tags: strings,
  pushedAt: nullable(str),
  pushOrder: nullable(num),
  imageStatus: nullable(str),
  mediaType: nullable(str),
  size: nullable(num),
  architecture: nullable(str),
  usedBy: strings,
  indexes: strings,
  status: str,
  failure,
  sbom: nullable(str),
  packageCount: nullable(num),
  inventoryComplete: nullable(bool),
});

const repository = obj({
  registry: str,
  account: str,
  region: str,
  name: str,
  tagMutability: nullable(str),
  imageCount: nullable(num),
  tags: arrayOf(obj({ tag: str, digest: str, pushedAt: nullable(str) })),
  newestDigest: nullable(str),
  images: arrayOf(image),
  failure,
});

const layerDrift = obj({
  name: str,
  owner: str,
  region: str,
  newestVersion: num,
  newestDigest: nullable(str),
  functions: arrayOf(obj({ arn: str, version: num, behind: num })),
});

const scanFailure = obj({ scope: str, subject: str, code: str, reason: str });

const resultOf = (drift: Check): Check =>
  obj(
    {
      scope: obj({ accounts: strings, regions: strings }),
      functions: arrayOf(scanFunction),
      layers: arrayOf(scanLayer),
      failures: arrayOf(scanFailure),
      drift,
    },
    { tool: obj({ name: str, version: str }), images: arrayOf(repository) }
  );

const WITH_DRIFT_LAYERS = resultOf(obj({ layers: arrayOf(layerDrift) }));
const WITHOUT_DRIFT_LAYERS = resultOf(obj({}));

/**
 * The first field of `doc` that does not fit a scan result (as `scan.functions[3].arn is a
 * number, not a string`), or undefined when every field checked fits. `driftLayers`: whether
 * `drift.layers` is read (the changes between two scans measure it; a merge works it out again).
 */
export function scanResultShapeProblem(
  doc: unknown,
  options: { driftLayers: boolean }
): string | undefined {
  const p = (options.driftLayers ? WITH_DRIFT_LAYERS : WITHOUT_DRIFT_LAYERS)(doc);
  return p && `scan${p.at} ${p.why}`;
}

/**
 * The parts of a scan the history database stores one by one (`history/facts.ts`), with what
 * reading a scan back walks of each: a function, a layer version with its layer's name and
 * owner (its users are worked out again), a failure, a verdict (its subject) and a signing status.
 */
const FACTS = {
  scope: obj({ accounts: strings, regions: strings }),
  function: scanFunction,
  'layer-version': obj({ name: str, owner: str, ...layerVersionFields }),
  failure: scanFailure,
  verdict: obj({ subject: obj({ kind: str, name: str }, { arn: str }), ok: bool }),
  signing: obj({
    jobArn: str,
    profileVersionArn: nullable(str),
    jobStatus: nullable(str),
    jobRevoked: bool,
    profileStatus: nullable(str),
    profileRevoked: bool,
  }),
} satisfies Record<string, Check>;

/** The stored parts of a scan {@link scanFactShapeProblem} checks. */
export type ScanFactKind = keyof typeof FACTS;

/**
 * The first field of a stored part of a scan (see {@link scanResultShapeProblem}) that does not
 * fit, as `.layers[0].arn is a number, not a string`, or undefined when it fits.
 */
export function scanFactShapeProblem(kind: ScanFactKind, value: unknown): string | undefined {
  const p = FACTS[kind](value);
  return p && (p.at ? `${p.at.replace(/^\./, '')} ${p.why}` : `it ${p.why}`);
}
