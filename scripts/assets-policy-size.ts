/**
 * Prints the deployed size of the assets bucket's policy as the number of target accounts
 * grows, for the two ways of letting each account read only its own prefix: the store's one
 * statement with the `${aws:PrincipalAccount}` policy variable, and one statement per account.
 * `npx ts-node --transpile-only scripts/assets-policy-size.ts`
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CicdArtifactStore } from '../src';
import { BUCKET_POLICY_QUOTA, deployedPolicySize } from '../src/private/policy-size';

const rows: string[] = [];
for (const n of [2, 10, 40, 100, 300]) {
  const stack = new Stack(new App(), 'Cicd', { env: { account: '111111111111', region: 'eu-west-1' } });
  const targets = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, accountId: String(300000000000 + i) }));
  const store = new CicdArtifactStore(stack, 'Store', { targetAccounts: targets, cdkAssets: true });
  const policy = (store.assetsBucket as s3.Bucket).policy!.document;
  const variable = deployedPolicySize(stack, policy);
  const perAccount = new iam.PolicyDocument();
  for (const statement of policy.toJSON().Statement) {
    if (!String(statement.Sid).startsWith('ReadOwnAssets')) {
      perAccount.addStatements(iam.PolicyStatement.fromJson(statement));
    }
  }
  targets.forEach((t, i) => perAccount.addStatements(new iam.PolicyStatement({
    sid: `ReadOwnAssets${i}`,
    principals: [new iam.AccountPrincipal(t.accountId)],
    actions: ['s3:GetObject', 's3:GetObjectVersion'],
    resources: [`arn:aws:s3:::cicd-assets-111111111111-eu-west-1/${t.accountId}/*`],
  })));
  rows.push(`| ${n} | ${variable} | ${deployedPolicySize(stack, perAccount)} |`);
}
console.log(`Assets bucket policy, bytes as deployed (quota ${BUCKET_POLICY_QUOTA})\n`);
console.log(['| targets | one statement, `${aws:PrincipalAccount}` | one statement per account |', '| ---: | ---: | ---: |', ...rows].join('\n'));
