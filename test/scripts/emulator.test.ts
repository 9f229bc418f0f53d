import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { StackInfo } from '../../scripts/assembly';
import {
  assertPortFree, EMULATOR_TIMEOUTS, emulatorPlan, emulatorResourceTypes, listeningAddresses, startEmulator, unsupportedTypes, waitForEmulator,
} from '../../scripts/emulator';

/** A leftover emulator: answers MiniStack's health check on a port. */
async function fakeEmulator(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/_ministack/health' ? 200 : 404);
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as any).port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('a port already in use is detected, not talked to', () => {
  let leftover: Awaited<ReturnType<typeof fakeEmulator>>;
  beforeEach(async () => {
    leftover = await fakeEmulator();
  });
  afterEach(async () => leftover.close());

  test('assertPortFree names the port and how to find what holds it', async () => {
    await expect(assertPortFree(leftover.port)).rejects.toThrow(
      new RegExp(`^port ${leftover.port} on 127\\.0\\.0\\.1 is already in use \\(an emulator left running by an earlier command\\?\\); find it with .ss -ltnp 'sport = :${leftover.port}'. and stop it, or choose another --port$`),
    );
  });

  test('startEmulator refuses the port before installing or starting anything', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-state-'));
    await expect(startEmulator({ stateDir, port: leftover.port })).rejects.toThrow(/already in use/);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  test('an emulator that answers on the port but is not the process started here is refused', async () => {
    // GIVEN: a started process that does not listen anywhere (the new emulator failed to bind)
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      // THEN
      await expect(waitForEmulator(child.pid!, leftover.port, () => false, 5_000)).rejects.toThrow(
        new RegExp(`^something answers on http://127\\.0\\.0\\.1:${leftover.port}, but not the emulator started here \\(pid ${child.pid} listens on nothing\\)`),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the process that does listen on the port is accepted', async () => {
    // This test process holds the fake emulator's socket.
    const addresses = await waitForEmulator(process.pid, leftover.port, () => false, 5_000);
    expect(addresses).toContain(`tcp:127.0.0.1:${leftover.port}`);
    expect(listeningAddresses(process.pid)).toContain(`tcp:127.0.0.1:${leftover.port}`);
  });

  test('a free port passes', async () => {
    const port = leftover.port;
    await leftover.close();
    leftover = await fakeEmulator(); // another port, so afterEach still has a server to close
    await expect(assertPortFree(port)).resolves.toBeUndefined();
  });
});

describe('starting the emulator has a time limit', () => {
  test('an emulator that never answers fails after the limit', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const free = await fakeEmulator();
      const port = free.port;
      await free.close();
      await expect(waitForEmulator(child.pid!, port, () => false, 600)).rejects.toThrow(new RegExp(`^MiniStack did not answer on http://127\\.0\\.0\\.1:${port} within 600 ms`));
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('an emulator that exits while starting says so', async () => {
    await expect(waitForEmulator(1, 1, () => true, 5_000)).rejects.toThrow(/^MiniStack exited while starting/);
  });

  test('asking MiniStack for its resource types cannot hang', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-python-'));
    const python = path.join(dir, 'python');
    fs.writeFileSync(python, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const saved = EMULATOR_TIMEOUTS.queryMs;
    EMULATOR_TIMEOUTS.queryMs = 400;
    try {
      expect(() => emulatorResourceTypes(python)).toThrow(/^reading the resource types MiniStack supports did not finish within 400 ms and was stopped$/);
    } finally {
      EMULATOR_TIMEOUTS.queryMs = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the resource types are read from what MiniStack prints', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cicd-python-'));
    const python = path.join(dir, 'python');
    fs.writeFileSync(python, '#!/bin/sh\necho "a warning on stdout"\necho \'["AWS::IAM::Role", "AWS::S3::Bucket"]\'\n', { mode: 0o755 });
    try {
      expect([...emulatorResourceTypes(python)]).toEqual(['AWS::IAM::Role', 'AWS::S3::Bucket']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the sample pipeline is skipped only for the resource types the emulator lacks', () => {
  const stack = (kind: StackInfo['kind'], types: string[]): StackInfo => ({
    name: `${kind}-stack`,
    kind,
    account: '111111111111',
    region: 'eu-west-1',
    dependsOn: [],
    template: { Resources: Object.fromEntries(types.map((t, i) => [`R${i}`, { Type: t }])) },
  });
  const pipelineTypes = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::CodePipeline::Pipeline'];
  const allBut = (...lacking: string[]) => new Set([...pipelineTypes, 'AWS::KMS::Key', 'AWS::S3::Bucket'].filter((t) => !lacking.includes(t)));

  test('the types the template has and the emulator lacks, exactly, are the reason', () => {
    expect(unsupportedTypes(stack('pipeline', pipelineTypes).template, allBut('AWS::CodePipeline::Pipeline'))).toEqual(['AWS::CodePipeline::Pipeline']);
    expect(emulatorPlan(stack('pipeline', pipelineTypes), allBut('AWS::CodePipeline::Pipeline'), false)).toEqual({ skip: true, lacking: ['AWS::CodePipeline::Pipeline'] });
    expect(emulatorPlan(stack('pipeline', pipelineTypes), allBut('AWS::CodePipeline::Pipeline', 'AWS::IAM::Policy'), false))
      .toEqual({ skip: true, lacking: ['AWS::CodePipeline::Pipeline', 'AWS::IAM::Policy'] });
  });

  test('an emulator that supports every type deploys the pipeline', () => {
    expect(emulatorPlan(stack('pipeline', pipelineTypes), allBut(), false)).toEqual({ skip: false });
  });

  test('custom resources are the emulator\'s to run, not a missing type', () => {
    expect(unsupportedTypes(stack('pipeline', ['Custom::Thing', 'AWS::IAM::Role']).template, allBut())).toEqual([]);
  });

  test('any other stack with a type the emulator lacks is an error, not a skip', () => {
    expect(() => emulatorPlan(stack('store', ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy']), allBut(), false))
      .toThrow(/^store-stack cannot be deployed into the emulator: it lacks AWS::S3::BucketPolicy$/);
    expect(() => emulatorPlan(stack('target', ['AWS::IAM::Role', 'AWS::IAM::Policy']), allBut('AWS::IAM::Policy'), false)).toThrow(/lacks AWS::IAM::Policy/);
  });

  test('a pipeline asked for with --pipeline is not skipped', () => {
    expect(() => emulatorPlan(stack('pipeline', pipelineTypes), allBut('AWS::CodePipeline::Pipeline'), true))
      .toThrow(/^pipeline-stack cannot be deployed into the emulator: it lacks AWS::CodePipeline::Pipeline \(drop --pipeline/);
  });
});
