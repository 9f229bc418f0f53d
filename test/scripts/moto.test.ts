import * as http from 'http';
import { adminCredentials, expectAccount, startMoto } from '../../scripts/moto';

/**
 * A fake STS: AssumeRole answers a session, GetCallerIdentity answers `account` whatever
 * the caller (an emulator that puts every session in one account).
 */
async function fakeSts(account: string): Promise<{ endpoint: string; port: number; calls: string[]; close: () => Promise<void> }> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const action = new URLSearchParams(body).get('Action') ?? 'unknown';
      calls.push(action);
      res.writeHead(200, { 'content-type': 'text/xml' });
      const ns = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"';
      const meta = '<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>';
      res.end(action === 'AssumeRole'
        ? `<AssumeRoleResponse ${ns}><AssumeRoleResult><Credentials><AccessKeyId>ASIAFAKE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>`
          + `<SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>${meta}</AssumeRoleResponse>`
        : `<GetCallerIdentityResponse ${ns}><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/r/s</Arn><UserId>AROAFAKE:s</UserId>`
          + `<Account>${account}</Account></GetCallerIdentityResult>${meta}</GetCallerIdentityResponse>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as any).port;
  return { endpoint: `http://127.0.0.1:${port}`, port, calls, close: () => new Promise((r) => server.close(() => r())) };
}

describe('a session that lands in the wrong account is caught at once', () => {
  test('adminCredentials returns the session when the emulator puts it in the asked account', async () => {
    const sts = await fakeSts('222222222222');
    try {
      const credentials = await adminCredentials(sts.endpoint, 'eu-west-1', '222222222222');
      expect(credentials).toEqual({ accessKeyId: 'ASIAFAKE', secretAccessKey: 's', sessionToken: 't' });
      expect(sts.calls).toEqual(['AssumeRole', 'GetCallerIdentity']);
    } finally {
      await sts.close();
    }
  });

  test('adminCredentials fails, naming both accounts, when the session acts in another account', async () => {
    const sts = await fakeSts('123456789012');
    try {
      await expect(adminCredentials(sts.endpoint, 'eu-west-1', '777777777777')).rejects.toThrow(
        'a session of OrganizationAccountAccessRole should act in account 777777777777, but the emulator says 123456789012 (arn:aws:sts::123456789012:assumed-role/r/s)');
    } finally {
      await sts.close();
    }
  });

  test('expectAccount returns the caller\'s ARN', async () => {
    const sts = await fakeSts('111111111111');
    try {
      const c = { account: '111111111111', region: 'eu-west-1', endpoint: sts.endpoint, credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 's' } };
      expect(await expectAccount(c, '111111111111', 'the developer')).toBe('arn:aws:sts::111111111111:assumed-role/r/s');
      await expect(expectAccount(c, '222222222222', 'the developer')).rejects.toThrow(/^the developer should act in account 222222222222, but the emulator says 111111111111/);
    } finally {
      await sts.close();
    }
  });
});

test('startMoto refuses a port in use before installing or starting anything', async () => {
  const sts = await fakeSts('111111111111');
  try {
    await expect(startMoto(sts.port)).rejects.toThrow(new RegExp(`^port ${sts.port} on 127\\.0\\.0\\.1 is already in use`));
    expect(sts.calls).toEqual([]);
  } finally {
    await sts.close();
  }
});
