import { Aws, Lazy, Resource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { aws_kms as kmsRef } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';

/** Where the key is and what its alias is; `why` completes the error of a use that needs the key's ARN. */
export interface KeyByAliasProps {
  readonly account: string;
  readonly region: string;
  readonly alias: string;
  /** Who imported the key and what to pass instead, for the error message. */
  readonly importer: string;
  readonly remedy: string;
  /**
   * The ARN to hand out as `keyArn`, such as the alias ARN for CodePipeline in the key's own
   * account (which recognizes aliases there). Grants still go through `kms:ResourceAliases`.
   * @default - `keyArn` fails at synth
   */
  readonly keyArn?: string;
}

/**
 * A KMS key of another account known by its alias only.
 *
 * IAM statements whose resource is an alias ARN grant nothing, so grants name the key by
 * `kms:ResourceAliases` (any key of that account and region that carries the alias). A pipeline,
 * CodeBuild project or bucket in another account needs the key's ID or ARN (CodePipeline and
 * S3 resolve an alias in the caller's account), so `keyArn` and `keyId` fail at synth with an
 * error that says what to pass.
 */
export class KeyByAlias extends Resource implements kms.IKey {
  public readonly keyArn: string;
  public readonly keyId: string;

  constructor(scope: Construct, id: string, private readonly props: KeyByAliasProps) {
    super(scope, id, { account: props.account, region: props.region });
    const fail = (attribute: string) => Lazy.string({
      produce: () => {
        throw new Error(`${props.importer}: the store's KMS key is known only by its alias (${props.alias} in ${props.account}, ${props.region}), `
          + `so its ${attribute} is unknown. Something uses it as an encryption key (a pipeline's artifact store, a CodeBuild project, a bucket?), `
          + `and CodePipeline, CodeBuild and S3 resolve an alias in their own account, not in ${props.account}. ${props.remedy} `
          + 'Grants (store.grantRead, encryptionKey.grantDecrypt, ...) work without it.');
      },
    });
    this.keyArn = props.keyArn ?? fail('key ARN');
    this.keyId = fail('key ID');
  }

  public get keyRef(): kmsRef.KeyReference {
    return { keyArn: this.keyArn, keyId: this.keyId };
  }

  public addAlias(alias: string): kms.Alias {
    throw new Error(`${this.props.importer}: cannot add the alias ${alias} to the store's key: it belongs to the CICD account's stack.`);
  }

  public addToResourcePolicy(_statement: iam.PolicyStatement, _allowNoOp?: boolean): iam.AddToResourcePolicyResult {
    // The key policy belongs to the CICD account's stack.
    return { statementAdded: false };
  }

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [`arn:${Aws.PARTITION}:kms:${this.props.region}:${this.props.account}:key/*`],
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': this.props.alias } },
    });
  }

  public grantDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Decrypt');
  }

  public grantEncrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*');
  }

  public grantSign(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Sign');
  }

  public grantVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Verify');
  }

  public grantSignVerify(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:Sign', 'kms:Verify');
  }

  public grantGenerateMac(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:GenerateMac');
  }

  public grantVerifyMac(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'kms:VerifyMac');
  }
}
