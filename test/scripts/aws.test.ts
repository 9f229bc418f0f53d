import * as net from 'net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client, HeadBucketCommand } from '@aws-sdk/client-s3';
import { AwsCallTimeout, awsClient, describeStack } from '../../scripts/aws';

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
