import { afterEach, describe, expect, it } from 'vitest';
import { taskRoleActions } from '../../repo/task-role.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';
import { IMAGE_ESTATE, VENDOR } from './image-estate.js';

/**
 * The IAM action each call a scan makes needs, by the local endpoint's name for the call; null:
 * none (STS GetCallerIdentity needs no permission; layer zips come from presigned URLs, left
 * out). A call missing here fails the test: a new call needs its permission in the deployment's
 * task role.
 */
const IAM_ACTION: Record<string, string | null> = {
  'sts GetCallerIdentity': null,
  'sts AssumeRole': 'sts:AssumeRole',
  'lambda GetLayerVersionByArn': 'lambda:GetLayerVersion',
  // The registry's own API is authorised as these ECR actions.
  'registry GetManifest': 'ecr:BatchGetImage',
  'registry GetBlob': 'ecr:GetDownloadUrlForLayer',
};

function iamActionOf(call: string): string | null {
  if (call in IAM_ACTION) return IAM_ACTION[call]!;
  const [service, op] = call.split(' ');
  if (service === 'lambda' || service === 'ecr') return `${service}:${op}`;
  throw new Error(`no IAM action known for ${call}`);
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the Step Functions task role (deploy/step-functions/template.yaml)', () => {
  it('allows every call a scan of layers, code signing configs, roles and image functions makes', async () => {
    const calls = new Set<string>();
    for (const [estate, roleArns] of [
      [SCAN_ESTATE, [`arn:aws:iam::${VENDOR}:role/Audit`]],
      [IMAGE_ESTATE, []],
    ] as const) {
      h = await startHarness(estate);
      await h.scan({ roleArns: [...roleArns] });
      for (const r of h.endpoint.log)
        if (r.service !== 'content') calls.add(`${r.service} ${r.op}`);
      await h.close();
      h = undefined;
    }
    // Each kind of call was made: the scans covered what the role must allow.
    expect([...calls].sort()).toEqual(
      expect.arrayContaining([
        'ecr BatchGetImage',
        'ecr DescribeImages',
        'ecr DescribeRepositories',
        'ecr GetAuthorizationToken',
        'lambda GetFunction',
        'lambda GetLayerVersionByArn',
        'lambda ListCodeSigningConfigs',
        'lambda ListFunctions',
        'lambda ListFunctionsByCodeSigningConfig',
        'lambda ListLayerVersions',
        'lambda ListLayers',
        'registry GetBlob',
        'registry GetManifest',
        'sts AssumeRole',
        'sts GetCallerIdentity',
      ])
    );
    const allowed = new Set(taskRoleActions());
    const missing = [...calls]
      .map(iamActionOf)
      .filter((a): a is string => a !== null && !allowed.has(a));
    expect([...new Set(missing)].sort()).toEqual([]);
  });
});
