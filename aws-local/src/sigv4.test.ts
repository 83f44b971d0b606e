import { GetLayerVersionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSigningProfileCommand, SignerClient } from '@aws-sdk/client-signer';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from './server.js';
import { signatureMatches } from './sigv4.js';

describe('signatureMatches', () => {
  // AWS's SigV4 test suite, "get-vanilla".
  const vanilla = {
    method: 'GET',
    rawUrl: '/',
    body: '',
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
  };
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  it("accepts the published vector's signature and refuses any change to what it covers", () => {
    expect(signatureMatches(vanilla, SECRET)).toBe(true);
    expect(signatureMatches(vanilla, SECRET.replace('K', 'k'))).toBe(false);
    expect(signatureMatches({ ...vanilla, method: 'POST' }, SECRET)).toBe(false);
    expect(signatureMatches({ ...vanilla, rawUrl: '/?a=b' }, SECRET)).toBe(false);
    expect(
      signatureMatches(
        { ...vanilla, headers: { ...vanilla.headers, host: 'evil.example' } },
        SECRET
      )
    ).toBe(false);
    const undated = { ...vanilla, headers: { ...vanilla.headers, 'x-amz-date': undefined } };
    expect(signatureMatches(undated, SECRET)).toBe(false);
  });
});

describe('the endpoint checks every signature with the estate secret', () => {
  let ep: AwsEndpoint;
  beforeAll(async () => {
    ep = await startAwsEndpoint({ estate: 'testdata/estates/example.yaml' });
  });
  afterAll(async () => {
    await ep.close();
  });

  const config = (secretAccessKey: string) => ({
    endpoint: ep.url,
    region: 'us-east-1',
    credentials: { accessKeyId: ep.credentials.accessKeyId, secretAccessKey },
    maxAttempts: 1,
    forcePathStyle: true,
  });

  async function errorName(p: Promise<unknown>): Promise<string> {
    try {
      await p;
      return 'no error';
    } catch (err) {
      return (err as Error).name;
    }
  }

  it('answers the right secret and refuses a wrong one as AWS does, per service', async () => {
    const wrong = ep.credentials.secretAccessKey.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'));
    const arn = 'arn:aws:lambda:us-east-1:111111111111:layer:node-deps';

    const sts = new STSClient(config(ep.credentials.secretAccessKey));
    const badSts = new STSClient(config(wrong));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111111111111');
    expect(await errorName(badSts.send(new GetCallerIdentityCommand({})))).toBe(
      'SignatureDoesNotMatch'
    );

    // A path with percent-encoded ARN characters: the canonical path is escaped once more.
    const lambda = new LambdaClient(config(ep.credentials.secretAccessKey));
    const badLambda = new LambdaClient(config(wrong));
    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: arn, VersionNumber: 1 }));
    expect(got.Version).toBe(1);
    expect(
      await errorName(
        badLambda.send(new GetLayerVersionCommand({ LayerName: arn, VersionNumber: 1 }))
      )
    ).toBe('InvalidSignatureException');

    const badSigner = new SignerClient(config(wrong));
    expect(
      await errorName(badSigner.send(new GetSigningProfileCommand({ profileName: 'HomeProfile' })))
    ).toBe('InvalidSignatureException');

    const badS3 = new S3Client(config(wrong));
    expect(await errorName(badS3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })))).toBe(
      'SignatureDoesNotMatch'
    );
    for (const c of [sts, badSts, lambda, badLambda, badSigner, badS3]) c.destroy();
  });
});
