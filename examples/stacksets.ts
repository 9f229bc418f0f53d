import { App, CliCredentialsStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Capability, DeploymentType, StackSet, StackSetStack, StackSetTarget, StackSetTemplate } from 'cdk-stacksets';
import {
  CicdArtifactStore,
  CrossAccountPipelineRoles,
  CrossReadOnlyRole,
} from '../src';
import { acknowledgeNagFindings } from './nag';

export interface StackSetBaselineConfig {
  /** The CICD account, home of the artifact store. */
  readonly cicdAccount: string;
  /** The AWS Organizations ID whose accounts the store admits. */
  readonly organizationId: string;
  /** The organizational units whose accounts, present and future, get the target roles. */
  readonly organizationalUnits: string[];
  readonly region: string;
  /**
   * The account that administers the StackSet: the organization's management account or a
   * delegated administrator.
   */
  readonly stackSetAdminAccount: string;
  /**
   * Whether the admin account is a delegated administrator rather than the management account.
   * @default true
   */
  readonly delegatedAdmin?: boolean;
}

/**
 * The baseline for an organization: the artifact store admits the organization's pipeline
 * roles by name (constant-size policies), and a service-managed StackSet rolls the target
 * roles out to every account of the given organizational units, including accounts that
 * join them later. One env-agnostic template serves every account: it names the store by
 * the CICD account and region, and nothing else.
 */
export function buildStackSetBaseline(app: App, config: StackSetBaselineConfig) {
  const synthesizer = () => new CliCredentialsStackSynthesizer();

  const storeStack = new Stack(app, 'cicd-artifact-store', {
    env: { account: config.cicdAccount, region: config.region },
    synthesizer: synthesizer(),
  });
  new CicdArtifactStore(storeStack, 'ArtifactStore', {
    organizationId: config.organizationId,
    organizationRoleNames: [
      CrossAccountPipelineRoles.crossAccountRoleName(),
      CrossAccountPipelineRoles.cloudFormationRoleName(),
      CrossAccountPipelineRoles.buildRoleName(),
    ],
  });

  const adminStack = new Stack(app, 'cicd-target-roles-stackset', {
    env: { account: config.stackSetAdminAccount, region: config.region },
    synthesizer: synthesizer(),
  });
  const targetTemplate = new StackSetStack(adminStack, 'TargetRoles');
  const store = CicdArtifactStore.fromCicdAccount(targetTemplate, 'ArtifactStore', { account: config.cicdAccount, region: config.region });
  new CrossAccountPipelineRoles(targetTemplate, 'PipelineRoles', { cicdAccountId: config.cicdAccount, artifactStore: store });
  new CrossReadOnlyRole(targetTemplate, 'ReadOnlyRole', { trustedAccountIds: [config.cicdAccount] });

  new StackSet(adminStack, 'StackSet', {
    stackSetName: 'cicd-target-roles',
    description: `Roles the CICD account ${config.cicdAccount} uses in every account of the organization`,
    template: StackSetTemplate.fromStackSetStack(targetTemplate),
    // IAM role names are global to an account: one region only.
    target: StackSetTarget.fromOrganizationalUnits({ regions: [config.region], organizationalUnits: config.organizationalUnits }),
    deploymentType: DeploymentType.serviceManaged({
      autoDeployEnabled: true,
      autoDeployRetainStacks: false,
      delegatedAdmin: config.delegatedAdmin ?? true,
    }),
    capabilities: [Capability.NAMED_IAM],
    managedExecution: true,
  });

  acknowledgeNagFindings([storeStack, adminStack, targetTemplate]);
  return { storeStack, adminStack, targetTemplate };
}
