import * as net from 'net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import { AwsCallTimeout, awsClient, cliEnv, clientConfig, describeStack, emulatorCredentials } from '../../scripts/aws';

/** A server that accepts connections and never answers: an emulator that hangs. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => r());
    }),
  };
}

describe('AWS SDK calls have a time limit', () => {
  let server: Awaited<ReturnType<typeof silentServer>>;
  beforeEach(async () => {
    server = await silentServer();
  });
  afterEach(async () => server.close());

  test('a call the endpoint never answers fails with the service, the call and the endpoint', async () => {
    // GIVEN
    const c = { account: '111111111111', region: 'eu-west-1', endpoint: `http://127.0.0.1:${server.port}` };
    const cfn = awsClient(CloudFormationClient, c, 400);
    // WHEN
    const started = Date.now();
    const err = await cfn.send(new DescribeStacksCommand({ StackName: 'x' })).then(() => undefined, (e) => e);
    // THEN
    expect(err).toBeInstanceOf(AwsCallTimeout);
    expect(err.message).toBe(`CloudFormation.DescribeStacks to the emulator at http://127.0.0.1:${server.port} (account 111111111111) did not answer within 400 ms`);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  test('every client gets the limit, and helpers built on it pass the error on', async () => {
    const c = { account: '222222222222', region: 'eu-west-1', endpoint: `http://127.0.0.1:${server.port}` };
    await expect(awsClient(S3Client, c, 300).send(new HeadBucketCommand({ Bucket: 'b' }))).rejects.toThrow(/^S3\.HeadBucket to the emulator .* did not answer within 300 ms$/);
    // describeStack uses the default limit (30 s for the emulator); it must not swallow the error as "no stack".
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const pending = describeStack(c, 'x').then(() => 'resolved', (e) => (e as Error).message);
      await jest.advanceTimersByTimeAsync(31_000);
      expect(await pending).toMatch(/^CloudFormation\.DescribeStacks to the emulator .* did not answer within 30 s$/);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('an emulator connection signs with the account as its access key, or with the credentials it carries', () => {
  const endpoint = 'http://localhost:4566';

  test('MiniStack: the 12-digit account ID is the access key', () => {
    const c = { account: '222222222222', region: 'eu-west-1', endpoint };
    expect(emulatorCredentials(c)).toEqual({ accessKeyId: '222222222222', secretAccessKey: 'test' });
    const env = cliEnv(c);
    expect([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_ENDPOINT_URL]).toEqual(['222222222222', 'test', undefined, endpoint]);
  });

  test('moto: a role session\'s credentials, token included, in the SDK and in the CDK CLI\'s environment', async () => {
    // GIVEN: a shell whose own AWS settings must not leak into the CLI
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_PROFILE: 'someone', AWS_SESSION_TOKEN: 'stale' });
    try {
      const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
      const c = { account: '777777777777', region: 'eu-west-1', endpoint, credentials };
      // WHEN
      const env = cliEnv(c);
      const sdk = await (clientConfig(c) as any).credentials;
      // THEN
      expect([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS_PROFILE]).toEqual(['ASIAEXAMPLE', 'secret', 'token', undefined]);
      expect(sdk).toEqual(credentials);
    } finally {
      process.env = saved;
    }
  });
});
