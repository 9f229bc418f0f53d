import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * A cdk-nag AwsSolutions finding the reference app acknowledges, with its reason.
 *
 * `finding` is the finding's ID as cdk-nag reports it; `{…}` stands for one value that
 * differs between layouts (a bucket name, a region, an account). `path` is where, below the
 * stack, the construct with the finding lives. The README's Security section lists these; a
 * test fails when the two disagree, and when any finding is not acknowledged here.
 */
export interface NagAcknowledgement {
  readonly path: string;
  readonly finding: string;
  readonly reason: string;
}

const ROLES_WILDCARD = 'Wildcards in the pipeline roles that stay within this account\'s own resources of one kind';

export const NAG_ACKNOWLEDGEMENTS: NagAcknowledgement[] = [
  {
    path: 'PipelineRoles/CloudFormationRole',
    finding: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/PowerUserAccess]',
    reason: 'The CloudFormation execution role deploys whatever the pipelines deploy, as in the original, held by the baseline\'s permissions boundary; the README says how to narrow it (cloudFormationManagedPolicies).',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket}/*]',
    reason: 'Objects of the artifact store\'s buckets, which pipelines read and write by key.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:{region}:{account}:key/*]',
    reason: 'The store\'s key, named from another account by its alias: the statement carries kms:ResourceAliases, so it matches that key only.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'The data-key actions S3 uses to encrypt with the store\'s key (GenerateDataKey, GenerateDataKeyWithoutPlaintext), on that key only.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason: 'Re-encryption with the store\'s key only (ReEncryptFrom, ReEncryptTo), as S3 copies need.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Actions without resource-level permissions: cloudformation:ValidateTemplate and GetTemplateSummary, EC2 network-interface and describe calls of CodeBuild and Lambda in a VPC, reading stacks, ecr:GetAuthorizationToken (pulling images from the store), the IAM role management of the CloudFormation role (held by the permissions boundary), and the boundary itself.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:*:<AWS::AccountId>:stack/*]',
    reason: `${ROLES_WILDCARD}: the stacks pipelines deploy (narrowed by stackNamePrefix when given).`,
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:*:<AWS::AccountId>:project/*]',
    reason: `${ROLES_WILDCARD}: the CodeBuild projects pipelines start.`,
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:*:<AWS::AccountId>:report-group/*]',
    reason: `${ROLES_WILDCARD}: the report groups builds write test and coverage reports to.`,
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:*:<AWS::AccountId>:log-group:*]',
    reason: `${ROLES_WILDCARD}: the log groups of builds and functions, whose names are not known in advance.`,
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:network-interface/*]',
    reason: `${ROLES_WILDCARD}: the network interfaces CodeBuild creates in a VPC (with ec2:AuthorizedService = codebuild.amazonaws.com).`,
  },
  {
    path: 'PipelineRoles/PermissionsBoundary',
    finding: 'AwsSolutions-IAM5[Action::*]',
    reason: 'A permissions boundary grants nothing: its Allow of every action lets the identity policies decide, and its denies keep every role it holds off the baseline\'s roles and the boundary itself.',
  },
  {
    path: 'ReadOnlyRole',
    finding: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/job-function/ViewOnlyAccess]',
    reason: 'Discovery across services; the role\'s explicit deny on data reads wins over it and over any policy attached later.',
  },
  {
    path: 'ReadOnlyRole',
    finding: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Discovery calls (describe, list, the tagging API) have no resource-level permissions; the deny on data reads applies to every resource.',
  },
  ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
    path: 'Pipeline',
    finding: `AwsSolutions-IAM5[Action::${action}]`,
    reason: 'CodePipeline\'s own grant on the artifact store, by the CDK\'s action groups, limited to the store\'s bucket and key.',
  })),
  {
    path: 'Pipeline',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{bucket}/*]',
    reason: 'Objects of the artifacts bucket, whose name the pipeline reads from SSM.',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cicd-assets-{account}-*/<AWS::AccountId>/*]',
    reason: 'This account\'s own CDK assets (its prefix) in the CICD account\'s assets bucket of every region (with aws:ResourceAccount = the CICD account).',
  },
  {
    path: 'PipelineRoles',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/cdk-bootstrap/{qualifier}/version]',
    reason: 'The one CDK bootstrap version parameter, in every region of this account, which the CDK CLI reads through the deploy role.',
  },
  {
    path: 'ReadOnlyRole',
    finding: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:*:<AWS::AccountId>:parameter/cdk-bootstrap/{qualifier}/version]',
    reason: 'The one CDK bootstrap version parameter, in every region of this account, which the CDK CLI reads through the lookup role.',
  },
  {
    path: 'ArtifactStore/AssetPublishingPolicy',
    finding: 'AwsSolutions-IAM5[Resource::<ArtifactStoreAssetsBucket{id}.Arn>/*]',
    reason: 'The asset-publishing role writes CDK assets under every target account\'s prefix of the assets bucket, named by content hash.',
  },
  {
    path: 'ArtifactStore/AssetPublishingPolicy',
    finding: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'The data-key actions S3 uses to encrypt uploads with the store\'s key, on that key only.',
  },
  {
    path: 'ArtifactStore/AssetPublishingPolicy',
    finding: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
    reason: 'Re-encryption with the store\'s key only, as S3 copies need.',
  },
  {
    path: 'ArtifactStore/AssetPublishingPolicy',
    finding: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken, which has no resource-level permissions: the login to the registry before pushing an image asset.',
  },
];

/** The regular expression a finding ID must match for an acknowledgement. */
export function findingMatcher(finding: string): RegExp {
  const parts = finding.split(/\{[a-z]+\}/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\]/]+')}$`);
}

/**
 * Runs the AwsSolutions checks on each stack and acknowledges, on the construct that has it,
 * every finding listed in `NAG_ACKNOWLEDGEMENTS` for that construct. Anything else stays
 * unacknowledged, for the tests to report.
 */
export function acknowledgeNagFindings(stacks: Stack[]): void {
  const rules = NAG_ACKNOWLEDGEMENTS.map((a) => ({ ...a, re: findingMatcher(a.finding) }));
  for (const stack of stacks) {
    const report = new AwsSolutionsChecks().validateScope(stack);
    for (const violation of report.violations) {
      for (const resource of violation.violatingResources) {
        const path = resource.constructPath ?? '';
        const rule = rules.find((r) => r.re.test(violation.ruleName) && path.startsWith(`${stack.node.path}/${r.path}/`));
        if (rule) {
          const scope = rule.path.split('/').reduce((c: IConstruct, id) => c.node.findChild(id), stack);
          acknowledge(scope, violation.ruleName, rule.reason);
        }
      }
    }
  }
}


/**
 * `Validations.of(scope).acknowledge()` as cdk-nag reads it. aws-cdk-lib 2.257 refuses IDs
 * with `::`, which cdk-nag's finding IDs contain (`AwsSolutions-IAM5[Resource::*]`), so the
 * acknowledgement is recorded in the same metadata entry directly.
 */
function acknowledge(scope: IConstruct, id: string, reason: string): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [`annotation::${id}`]: reason });
}
