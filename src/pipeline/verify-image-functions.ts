/**
 * The image half of `verify --all` and `verify --function`: each container-image function
 * version's deployed image (GetFunction's ResolvedImageUri) is verified against the policy's
 * `images:` rules, matched on the function's name, account and Region and the image's
 * repository. Each image (repository, digest, platform, as one principal) is resolved and its
 * signatures and pinned indexes gathered once, however many functions run it; each function
 * still gets its own verdict, since rules may select on the function.
 *
 * An image that cannot be read fails that function's image verdict with the code and reason.
 * Whether the run is also incomplete (exit 3) follows the layers: an archived or missing image,
 * a missing repository or a refused document is a fact about the estate (exit 1); a repository
 * the account may not read (ACCESS_DENIED), a registry or API failure means lamina could not
 * see (exit 3).
 */
import { EcrAccess, parseEcrImageUri, type RepositoryFacts } from '../fetch/aws/ecr-images.js';
import type { Lookup } from '../fetch/aws/enumerate.js';
import type { Principal } from '../fetch/aws/clients.js';
import type { ApiFailure } from '../fetch/aws/errors.js';
import { revocationStatusCall } from '../fetch/aws/signer.js';
import { RegistryClient } from '../fetch/registry/client.js';
import { RegistryStore } from '../fetch/registry/store.js';
import { mapLimit } from '../util/pool.js';
import {
  unreadableImageVerdict,
  verifyImage,
  type ImageEvidence,
  type ImageSubjectFacts,
} from '../verify/image.js';
import type { LoadedPolicy } from '../verify/policy/types.js';
import type { Verdict } from '../verify/verdict.js';
import type { AwsSession } from './aws.js';
import { functionPlatform } from './ecr-image.js';
import {
  deployedImage,
  repositoryFailure,
  repositoryKey,
  repositoryReader,
  tryEcrImage,
  type DeployedImage,
  type ImageFailure,
} from './function-image.js';
import { inventoryHandle } from './image.js';
import type { Limits } from '../unpack/source.js';
import { gatherImageEvidence, needsImageInventory, needsRevocation } from './verify-image.js';
import type { VerifyNote } from './verify-outcome.js';

/** An image function version to verify, and the principal and Region to read it as. */
export interface ImageFunctionRef {
  name: string;
  arn: string;
  /** `$LATEST` or a published version. */
  version: string;
  account: string;
  region: string;
  architectures: readonly string[];
  lookup: Lookup;
}

/** The image verdicts of some image functions. */
export interface ImageFunctionVerdicts {
  /** One per function, by function version ARN. */
  verdicts: Verdict[];
  /** Something could not be read (see the file comment). */
  incomplete: boolean;
  notes: VerifyNote[];
  /** Images resolved and gathered (one per distinct repository, digest and platform). */
  gathered: number;
}

interface Target {
  fn: ImageFunctionRef;
  deployed?: DeployedImage;
  /** Who reads its repository and image (see `principals`). */
  reader?: Lookup;
  repository?: RepositoryFacts | ApiFailure;
  failure?: ImageFailure;
}

type Gathered =
  | { ok: true; value: { evidence: ImageEvidence; notes: VerifyNote[] } }
  | { ok: false; failure: ImageFailure };

const byArn = (a: Target, b: Target): number => (a.fn.arn < b.fn.arn ? -1 : 1);

/** Verify the deployed image of each function; see the file comment. */
export async function verifyImageFunctions(
  fns: readonly ImageFunctionRef[],
  ctx: {
    session: AwsSession;
    policy: LoadedPolicy;
    now: Date;
    concurrency: number;
    /** Archive limits for an image's inventory (when a rule needs it). */
    limits: Limits;
    /**
     * The principal of each account the run identified: a repository of one of them is read as
     * its owner (as `lamina scan` reads it), others as the function's own principal.
     */
    principals?: ReadonlyMap<string, Principal>;
  }
): Promise<ImageFunctionVerdicts> {
  const { session, policy } = ctx;
  const retry = session.retry;
  const ecr = new EcrAccess(session.factory, retry.api);
  const targets: Target[] = [...fns].map((fn) => ({ fn })).sort(byArn);

  await mapLimit(targets, ctx.concurrency, async (t) => {
    const got = await deployedImage(session.factory, t.fn, t.fn.lookup, retry.api);
    if (!('image' in got)) {
      t.failure = got;
      return;
    }
    t.deployed = got;
    t.reader = repositoryReader(got.image, ctx.principals, t.fn.lookup);
    // Once per repository and principal (EcrAccess keeps the answer).
    t.repository = await ecr.repository(t.reader, got.image);
    t.failure = repositoryFailure(t.repository, got.image);
  });

  // One gather per image as one principal reads it on one platform, and (when the rules read
  // the inventory) as started with one function image configuration.
  const inventoried = needsImageInventory(policy);
  const groups = new Map<string, Target[]>();
  for (const t of targets) {
    if (t.failure || !t.deployed || !t.reader) continue;
    const platform = functionPlatform(t.fn.architectures);
    const key = [
      t.reader.principal.label,
      repositoryKey(t.deployed.image),
      t.deployed.image.digest,
      platform?.architecture ?? '',
      inventoried ? JSON.stringify(t.deployed.code.config ?? null) : '',
    ].join('\0');
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const gathered = new Map<Target, Gathered>();
  const notes: VerifyNote[] = [];
  await mapLimit([...groups.values()], ctx.concurrency, async (users) => {
    const first = users[0]!;
    const { image } = first.deployed!;
    const got = await tryEcrImage(
      ecr,
      first.reader!,
      image,
      image.digest,
      { platform: functionPlatform(first.fn.architectures), retry: retry.download },
      async ({ handle, registry }) => {
        const store = new RegistryStore(
          new RegistryClient(registry.host, registry.options),
          image.repository
        );
        try {
          const got = await gatherImageEvidence(handle.image, store, policy, {
            name: first.deployed!.code.resolvedImageUri,
          });
          if (!inventoried) return got;
          // An image that cannot be inventoried throws: its functions' verdicts fail. Lambda
          // starts it with the functions' own entry point, command and working directory.
          const config = first.deployed!.code.config;
          const { inventory } = await inventoryHandle(handle, {
            cacheDir: session.cache.root,
            limits: ctx.limits,
            retry: retry.download,
            ...(config ? { functionConfig: config } : {}),
          });
          return { ...got, evidence: { ...got.evidence, inventory } };
        } finally {
          await store.close();
        }
      }
    );
    if (got.ok) notes.push(...got.value.notes);
    for (const t of users) gathered.set(t, got);
  });

  const getRevocationStatus = needsRevocation(policy)
    ? revocationStatusCall(session.factory, retry.api)
    : undefined;
  let incomplete = false;
  const verdicts: Verdict[] = [];
  for (const t of targets) {
    const facts = subjectFacts(t);
    const got = gathered.get(t);
    const failure = t.failure ?? (got && !got.ok ? got.failure : undefined);
    if (failure || !got?.ok) {
      const f = failure ?? { code: 'API_ERROR', reason: `${t.fn.arn}: image not gathered` };
      incomplete ||= !(f.fact === true || f.code === 'NOT_FOUND');
      const digest = t.deployed?.image.digest;
      verdicts.push(unreadableImageVerdict({ ...facts, ...(digest ? { digest } : {}) }, policy, f));
      continue;
    }
    const tag = parseEcrImageUri(t.deployed!.code.imageUri);
    const repo = t.repository && !('code' in t.repository) ? t.repository : undefined;
    const evidence: ImageEvidence = {
      ...got.value.evidence,
      ...facts,
      // Deployed by tag: what the tag named at deploy is what runs, not what it names now.
      ...(tag?.tag !== undefined && tag.digest === undefined ? { tag: tag.tag } : {}),
      ...(repo ? { immutableTags: repo.tagMutability === 'IMMUTABLE' } : {}),
    };
    verdicts.push(
      await verifyImage(evidence, policy, {
        now: ctx.now,
        ...(getRevocationStatus ? { getRevocationStatus } : {}),
      })
    );
  }
  return { verdicts, incomplete, notes, gathered: groups.size };
}

/** What an image rule matches on for a function, and the verdict's subject. */
function subjectFacts(t: Target): ImageSubjectFacts {
  const image = t.deployed?.image;
  return {
    name: t.deployed?.code.imageUri ?? t.fn.arn,
    ...(image ? { repository: repositoryKey(image) } : {}),
    function: t.fn.name,
    functionArn: t.fn.arn,
    account: t.fn.account,
    region: t.fn.region,
  };
}
