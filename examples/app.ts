#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildBaseline } from './baseline';
import { readConfig } from './config';

const app = new App();
buildBaseline(app, readConfig((key) => app.node.tryGetContext(key)));
app.synth();
