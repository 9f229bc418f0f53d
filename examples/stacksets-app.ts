#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildStackSetBaseline } from './stacksets';

const app = new App();
const context = (key: string, fallback: string): string => app.node.tryGetContext(key) ?? fallback;
buildStackSetBaseline(app, {
  cicdAccount: context('cicdAccount', '111111111111'),
  organizationId: context('organizationId', 'o-a1b2c3d4e5'),
  organizationalUnits: context('organizationalUnits', 'ou-ab12-11111111').split(','),
  region: context('region', 'eu-west-1'),
  stackSetAdminAccount: context('stackSetAdminAccount', '999999999999'),
});
app.synth();
