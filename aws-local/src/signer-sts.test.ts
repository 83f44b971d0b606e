import {
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  GetLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  AccessDeniedException as SignerAccessDenied,
  DescribeSigningJobCommand,
  GetSigningProfileCommand,
  ListSigningJobsCommand,
  ListSigningProfilesCommand,
  paginateListSigningJobs,
  ResourceNotFoundException as SignerNotFound,
  SignerClient,
} from '@aws-sdk/client-signer';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

const HOME = '111111111111';
const VENDOR = '222222222222';

let ep: AwsEndpoint;
let signer: SignerClient;
let sts: STSClient;

beforeAll(async () => {
  ep = await startAwsEndpoint({ estate: 'testdata/estates/example.yaml' });
  signer = new SignerClient({
    endpoint: ep.url,
    region: 'us-east-1',
    credentials: ep.credentials,
    maxAttempts: 1,
  });
  sts = new STSClient({
    endpoint: ep.url,
    region: 'us-east-1',
    credentials: ep.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  signer.destroy();
  sts.destroy();
  await ep.close();
});

describe('Signer', () => {
  it('DescribeSigningJob returns the job with dates as Date objects', async () => {
    const job = await signer.send(
      new DescribeSigningJobCommand({ jobId: '0b6a3c44-1f2e-4d5c-9a8b-7c6d5e4f3a21' })
    );
    expect(job).toMatchObject({
      jobId: '0b6a3c44-1f2e-4d5c-9a8b-7c6d5e4f3a21',
      status: 'Succeeded',
      platformId: 'AWSLambda-SHA384-ECDSA',
      profileName: 'HomeProfile',
      profileVersion: 'Vx0ZhYfrc4',
      jobOwner: HOME,
      signedObject: {
        s3: { bucketName: 'home-signed', key: 'signed/0b6a3c44-1f2e-4d5c-9a8b-7c6d5e4f3a21.zip' },
      },
    });
    expect(job.createdAt).toEqual(new Date('2024-02-01T10:00:00Z'));
    expect(job.signatureExpiresAt).toEqual(new Date('2035-05-01T10:00:05Z'));
    expect(job.revocationRecord).toBeUndefined();
  });

  it('DescribeSigningJob shows a revocation record', async () => {
    const job = await signer.send(
      new DescribeSigningJobCommand({ jobId: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a' })
    );
    expect(job.revocationRecord?.reason).toBe('profile revoked');
    expect(job.revocationRecord?.revokedAt).toEqual(new Date('2024-03-06T00:00:00Z'));
  });

  it('DescribeSigningJob on an unknown (or another account’s) job is ResourceNotFoundException', async () => {
    for (const jobId of [
      '00000000-0000-0000-0000-000000000000',
      '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    ]) {
      const err = await signer
        .send(new DescribeSigningJobCommand({ jobId }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SignerNotFound);
      expect((err as SignerNotFound).$metadata.httpStatusCode).toBe(404);
    }
  });

  it('GetSigningProfile returns status, version ARN and revocation', async () => {
    const p = await signer.send(new GetSigningProfileCommand({ profileName: 'HomeProfile' }));
    expect(p).toMatchObject({
      profileName: 'HomeProfile',
      profileVersion: 'Vx0ZhYfrc4',
      profileVersionArn: `arn:aws:signer:us-east-1:${HOME}:/signing-profiles/HomeProfile/Vx0ZhYfrc4`,
      arn: `arn:aws:signer:us-east-1:${HOME}:/signing-profiles/HomeProfile`,
      status: 'Active',
      signatureValidityPeriod: { value: 135, type: 'MONTHS' },
      tags: { team: 'platform' },
    });
    const old = await signer.send(new GetSigningProfileCommand({ profileName: 'OldProfile' }));
    expect(old.status).toBe('Revoked');
    expect(old.revocationRecord?.revocationEffectiveFrom).toEqual(new Date('2024-03-01T00:00:00Z'));
  });

  it('GetSigningProfile cross-account works only when granted', async () => {
    const shared = await signer.send(
      new GetSigningProfileCommand({ profileName: 'VendorProfile', profileOwner: VENDOR })
    );
    expect(shared.profileVersionArn).toBe(
      `arn:aws:signer:us-east-1:${VENDOR}:/signing-profiles/VendorProfile/Zz9Yy8Xx7W`
    );
    const err = await signer
      .send(new GetSigningProfileCommand({ profileName: 'PrivateProfile', profileOwner: VENDOR }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SignerAccessDenied);
    expect((err as SignerAccessDenied).$metadata.httpStatusCode).toBe(403);
    const missing = await signer
      .send(new GetSigningProfileCommand({ profileName: 'Nope' }))
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SignerNotFound);
  });
});

describe('STS', () => {
  it('GetCallerIdentity names the home account', async () => {
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: HOME, Arn: `arn:aws:iam::${HOME}:user/home` });
  });

  it('AssumeRole issues credentials that act as the other account', async () => {
    const before = Date.now();
    const res = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${VENDOR}:role/LaminaAudit`,
        RoleSessionName: 'lamina',
        DurationSeconds: 900,
      })
    );
    const c = res.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(c?.Expiration).toBeInstanceOf(Date);
    expect((c?.Expiration?.getTime() ?? 0) - before).toBeGreaterThan(800_000);
    expect(res.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${VENDOR}:assumed-role/LaminaAudit/lamina`);
    const creds = {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    };

    const vendorSts = new STSClient({ endpoint: ep.url, region: 'us-east-1', credentials: creds });
    expect((await vendorSts.send(new GetCallerIdentityCommand({}))).Account).toBe(VENDOR);
    vendorSts.destroy();

    const vendorLambda = new LambdaClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: creds,
      maxAttempts: 1,
    });
    const layer = await vendorLambda.send(
      new GetLayerVersionCommand({ LayerName: 'vendor-private', VersionNumber: 1 })
    );
    expect(layer.LayerVersionArn).toBe(`arn:aws:lambda:us-east-1:${VENDOR}:layer:vendor-private:1`);
    // The session token is part of the credentials: without it the key is unknown.
    const noToken = new LambdaClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      maxAttempts: 1,
    });
    const err = await noToken.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    expect((err as LambdaServiceException).name).toBe('UnrecognizedClientException');
    vendorLambda.destroy();
    noToken.destroy();
  });

  it('AssumeRole on a role that is not listed, or does not trust the caller, is AccessDenied (403)', async () => {
    for (const RoleArn of [
      `arn:aws:iam::${VENDOR}:role/NoSuchRole`,
      `arn:aws:iam::333333333333:role/LaminaAudit`,
    ]) {
      const err = await sts
        .send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'sx' }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(STSServiceException);
      expect((err as STSServiceException).name).toBe('AccessDenied');
      expect((err as STSServiceException).$metadata.httpStatusCode).toBe(403);
    }
    // vendor's LaminaAudit trusts only home, so not even vendor itself may assume it.
    const vendorSts = new STSClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIALOCALVENDOR00001', secretAccessKey: 'local-vendor-secret' },
      maxAttempts: 1,
    });
    const err = await vendorSts
      .send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${VENDOR}:role/LaminaAudit`,
          RoleSessionName: 'self',
        })
      )
      .catch((e: unknown) => e);
    expect((err as STSServiceException).name).toBe('AccessDenied');
    vendorSts.destroy();
  });

  it('expired session credentials are ExpiredTokenException', async () => {
    let t = Date.parse('2025-01-01T00:00:00Z');
    const e2 = await startAwsEndpoint({ estate: ep.estate, now: () => new Date(t) });
    const s = new STSClient({
      endpoint: e2.url,
      region: 'us-east-1',
      credentials: e2.credentials,
      maxAttempts: 1,
    });
    const { Credentials: c } = await s.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${VENDOR}:role/LaminaAudit`,
        RoleSessionName: 'short',
        DurationSeconds: 900,
      })
    );
    t += 901_000;
    const l = new LambdaClient({
      endpoint: e2.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
      maxAttempts: 1,
    });
    const err = await l.send(new ListFunctionsCommand({})).catch((e: unknown) => e);
    expect((err as LambdaServiceException).name).toBe('ExpiredTokenException');
    expect((err as LambdaServiceException).$metadata.httpStatusCode).toBe(403);
    l.destroy();
    s.destroy();
    await e2.close();
  });

  it('an unknown key is InvalidClientTokenId in STS', async () => {
    const s = new STSClient({
      endpoint: ep.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const err = await s.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect((err as STSServiceException).name).toBe('InvalidClientTokenId');
    expect((err as STSServiceException).$metadata.httpStatusCode).toBe(403);
    s.destroy();
  });
});

describe('Signer listings (aws signer list-signing-profiles / list-signing-jobs)', () => {
  it("lists the caller's profiles with their versions, status filter applied", async () => {
    const all = await signer.send(new ListSigningProfilesCommand({}));
    expect(all.profiles?.map((p) => [p.profileName, p.status, p.profileVersion])).toEqual([
      ['HomeProfile', 'Active', 'Vx0ZhYfrc4'],
      ['OldProfile', 'Revoked', 'A1b2C3d4E5'],
    ]);
    expect(all.profiles?.[0]?.profileVersionArn).toBe(
      'arn:aws:signer:us-east-1:111111111111:/signing-profiles/HomeProfile/Vx0ZhYfrc4'
    );
    const active = await signer.send(new ListSigningProfilesCommand({ statuses: ['Active'] }));
    expect(active.profiles?.map((p) => p.profileName)).toEqual(['HomeProfile']);
  });

  it('lists jobs newest first, with revocation and filters, page by page', async () => {
    const jobs = await signer.send(new ListSigningJobsCommand({}));
    expect(jobs.jobs?.map((j) => [j.jobId, j.profileName, j.isRevoked])).toEqual([
      ['9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', 'OldProfile', true],
      ['0b6a3c44-1f2e-4d5c-9a8b-7c6d5e4f3a21', 'HomeProfile', false],
    ]);
    expect(jobs.jobs?.[1]?.createdAt).toEqual(new Date('2024-02-01T10:00:00Z'));
    const revoked = await signer.send(new ListSigningJobsCommand({ isRevoked: false }));
    expect(revoked.jobs?.map((j) => j.profileName)).toEqual(['HomeProfile']);
    const pages: number[] = [];
    for await (const p of paginateListSigningJobs({ client: signer, pageSize: 1 }, {}))
      pages.push(p.jobs?.length ?? 0);
    expect(pages).toEqual([1, 1]);
    await expect(
      signer.send(new ListSigningJobsCommand({ nextToken: 'forged' }))
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
