#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildBaseline } from './baseline';
import { readConfig } from './config';

const app = new App();
const baseline = buildBaseline(app, readConfig((key) => app.node.tryGetContext(key)));
// `-c nag=true` runs cdk-nag's AwsSolutions checks and records the acknowledged findings in
// the assembly; the checks take longer than the rest of the synth, so they are opt-in.
if (app.node.tryGetContext('nag') === 'true') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { acknowledgeNagFindings } = require('./nag') as typeof import('./nag');
  acknowledgeNagFindings([baseline.store, ...baseline.targets, baseline.settings, baseline.pipeline, baseline.sampleApp, ...baseline.regionalStores]);
}
app.synth();
