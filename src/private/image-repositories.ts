import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { repositoryConstructId } from './naming';
import { checkPolicySize, REPOSITORY_POLICY_QUOTA } from './policy-size';
import { IMAGE_LAMBDA_PULL_ACTIONS, IMAGE_PULL_ACTIONS, IMAGE_PUSH_ACTIONS } from './store-actions';
import { TargetStatements } from './target-statements';
import { PropErrors } from './validation';

export const DEFAULT_UNTAGGED_IMAGE_RETENTION_DAYS = 14;

export interface ImageRepositoriesOptions {
  readonly names: string[];
  readonly audience: TargetStatements;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly tagMutability: ecr.TagMutability;
  readonly untaggedImageRetention: Duration;
}

/** What the store creates for one repository. */
export interface ImageRepository {
  readonly repository: ecr.Repository;
  /** A copy of the repository policy, for the size guard. */
  readonly policy: iam.PolicyDocument;
}

/**
 * The store's ECR repositories: scanned on push, tags immutable unless asked, untagged images
 * expire, encrypted with the store's key, retained with the store. The repository policy lets
 * the store's audience pull, lets Lambda pull for the functions of the target accounts, and
 * denies pushes and deletes to every principal outside the CICD account.
 */
export function createImageRepositories(scope: Construct, options: ImageRepositoriesOptions): ImageRepository[] {
  const stack = Stack.of(scope);
  return options.names.map((name) => {
    const repository = new ecr.Repository(scope, repositoryConstructId(name), {
      repositoryName: name,
      imageScanOnPush: true,
      imageTagMutability: options.tagMutability,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: options.key,
      removalPolicy: options.removalPolicy,
      lifecycleRules: [{
        description: `Expire untagged images after ${options.untaggedImageRetention.toDays()} days`,
        tagStatus: ecr.TagStatus.UNTAGGED,
        maxImageAge: options.untaggedImageRetention,
      }],
    });
    const statements: iam.PolicyStatement[] = [
      ...options.audience.statements({ sid: 'PullImagesFromTargets', actions: IMAGE_PULL_ACTIONS, resources: [] }),
    ];
    // Lambda pulls the image of a function in a target account as the Lambda service, named by the
    // function's ARN (Lambda Developer Guide, "Amazon ECR permissions", cross-account).
    const functionAccounts = [...new Set(options.audience.crossAccountTargets.map((t) => t.accountId))];
    if (functionAccounts.length > 0) {
      statements.push(new iam.PolicyStatement({
        sid: 'LambdaPullsForTargetFunctions',
        principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
        actions: IMAGE_LAMBDA_PULL_ACTIONS,
        conditions: {
          StringLike: { 'aws:sourceArn': functionAccounts.map((a) => `arn:${Aws.PARTITION}:lambda:${stack.region}:${a}:function:*`) },
        },
      }));
    }
    statements.push(new iam.PolicyStatement({
      sid: 'DenyPushOutsideCicdAccount',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: IMAGE_PUSH_ACTIONS,
      conditions: { StringNotEquals: { 'aws:PrincipalAccount': stack.account } },
    }));
    const policy = new iam.PolicyDocument({ minimize: false });
    for (const statement of statements) {
      repository.addToResourcePolicy(statement);
      policy.addStatements(statement);
    }
    return { repository, policy };
  });
}

/** The size guard's errors for the repositories' policies (ECR's SetRepositoryPolicy takes 10,240 characters). */
export function checkRepositoryPolicySizes(
  scope: Construct, repositories: ImageRepository[], advice: (bytes: number, limit: number) => string,
): string[] {
  return repositories.flatMap(({ repository, policy }) => {
    const error = checkPolicySize(scope, `The repository policy of ${repository.node.path}`, policy, REPOSITORY_POLICY_QUOTA, advice);
    return error ? [error] : [];
  });
}

/** Whether the retention is a whole number of days, at least 1 (ECR counts image age in days). */
export function checkUntaggedImageRetention(errors: PropErrors, prop: string, retention: Duration | undefined): void {
  if (retention === undefined || Token.isUnresolved(retention.toSeconds())) {
    return;
  }
  const days = retention.toDays({ integral: false });
  if (days < 1 || !Number.isInteger(days)) {
    errors.add(prop, retention.toString(), 'allowed: a whole number of days, at least 1');
  }
}
