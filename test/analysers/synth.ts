/**
 * Synthesizes the reference app in every variant the analysers check, one cloud assembly
 * per variant: `ts-node test/analysers/synth.ts OUTDIR` writes OUTDIR/VARIANT/*.template.json.
 */
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildBaseline } from '../../examples/baseline';
import { readConfig } from '../../examples/config';

/** Well-formed, made-up unique IDs of the deployed target roles, as the deploy command feeds them. */
const ROLE_IDS = JSON.stringify({
  nonprod: { crossAccountRoleId: 'AROAAAAAAAAAAAAAAAAAA', cloudFormationRoleId: 'AROABBBBBBBBBBBBBBBBB', buildRoleId: 'AROACCCCCCCCCCCCCCCCC' },
  prod: { crossAccountRoleId: 'AROADDDDDDDDDDDDDDDDD', cloudFormationRoleId: 'AROAEEEEEEEEEEEEEEEEE', buildRoleId: 'AROAFFFFFFFFFFFFFFFFF' },
});

export const VARIANTS: Record<string, Record<string, string>> = {
  'three-account': {},
  'three-account-role-ids': { narrowing: 'role-ids', roleIds: ROLE_IDS },
  'three-account-role-arns': { narrowing: 'role-arns' },
  'single-account': { layout: 'single' },
  'three-account-images': { imageRepositories: 'sample-app' },
  'three-account-cdk-assets': { cdkAssets: 'true', imageRepositories: 'sample-app' },
  'single-account-cdk-assets': { layout: 'single', cdkAssets: 'true' },
};

const outRoot = process.argv[2];
if (!outRoot) {
  throw new Error('usage: synth.ts OUTDIR');
}
for (const [variant, context] of Object.entries(VARIANTS)) {
  const app = new App({ outdir: path.join(outRoot, variant) });
  buildBaseline(app, readConfig((key) => context[key], {}));
  app.synth();
  console.log(variant);
}
