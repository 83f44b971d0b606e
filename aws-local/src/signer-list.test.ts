import {
  ListSigningJobsCommand,
  ListSigningProfilesCommand,
  SignerClient,
  paginateListSigningJobs,
} from '@aws-sdk/client-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';

let ep: AwsEndpoint;
let signer: SignerClient;
beforeAll(async () => {
  ep = await startAwsEndpoint({ estate: 'testdata/estates/example.yaml' });
  signer = new SignerClient({
    endpoint: ep.url,
    region: 'us-east-1',
    credentials: ep.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  signer.destroy();
  await ep.close();
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
