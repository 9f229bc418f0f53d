package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CrossAccountPipelineRoles;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** CrossAccountPipelineRoles used from Java: the roles of a target account, beside a store in the CICD stack. */
class CrossAccountPipelineRolesTest {
    private static final String CICD = "111111111111";
    private static final String NONPROD = "222222222222";

    private static Stack stack(App app, String id, String account) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().account(account).region("eu-west-1").build()).build());
    }

    @Test
    void threeRolesTrustedAsDesigned() {
        App app = new App();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack(app, "Cicd", CICD), "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .build();
        Stack target = stack(app, "Nonprod", NONPROD);
        CrossAccountPipelineRoles.Builder.create(target, "PipelineRoles").cicdAccountId(CICD).artifactStore(store).build();
        Template template = Template.fromStack(target);

        template.resourceCountIs("AWS::IAM::Role", 3);
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "cicd-cross-account",
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "true")))))))));
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "cicd-cloudformation",
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Principal", Map.of("Service", "cloudformation.amazonaws.com"))))))));
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", "iam:PassRole",
                        "Condition", Map.of("StringEquals", Map.of("iam:PassedToService", "cloudformation.amazonaws.com")))))))));
        assertEquals("cicd-build", CrossAccountPipelineRoles.buildRoleName());
        app.synth();
    }

    @Test
    void theBaselineBoundaryHoldsTheCloudFormationRole() {
        App app = new App();
        Stack target = stack(app, "Nonprod", NONPROD);
        CrossAccountPipelineRoles roles = CrossAccountPipelineRoles.Builder.create(target, "PipelineRoles")
                .cicdAccountId(CICD)
                .artifactStore(CicdArtifactStore.fromCicdAccount(target, "Store",
                        io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation.builder().account(CICD).region("eu-west-1").build()))
                .protectedRoleNames(List.of("inventory-read-only"))
                .canWriteArtifacts(false)
                .build();
        Template template = Template.fromStack(target);
        template.hasResourceProperties("AWS::IAM::ManagedPolicy", Map.of("ManagedPolicyName", "cicd-permissions-boundary"));
        template.hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "cicd-cloudformation",
                "PermissionsBoundary", Match.objectLike(Map.of("Ref", Match.stringLikeRegexp("^PipelineRolesPermissionsBoundary")))));
        assertEquals("cicd-permissions-boundary", CrossAccountPipelineRoles.permissionsBoundaryName());
        assertTrue(roles.getPermissionsBoundary() != null);
    }

    @Test
    void noBoundaryAndABoundaryAreRefused() {
        App app = new App();
        Stack target = stack(app, "Nonprod", NONPROD);
        RuntimeException error = assertThrows(RuntimeException.class, () -> CrossAccountPipelineRoles.Builder.create(target, "PipelineRoles")
                .cicdAccountId(CICD)
                .artifactStore(CicdArtifactStore.fromCicdAccount(target, "Store",
                        io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation.builder().account(CICD).region("eu-west-1").build()))
                .withoutPermissionsBoundary(true)
                .permissionsBoundary(software.amazon.awscdk.services.iam.ManagedPolicy.fromAwsManagedPolicyName("ReadOnlyAccess"))
                .build());
        assertTrue(error.getMessage().contains("withoutPermissionsBoundary: got true"), error.getMessage());
    }

    @Test
    void prefixTooLongIsRefused() {
        App app = new App();
        Stack target = stack(app, "Nonprod", NONPROD);
        RuntimeException error = assertThrows(RuntimeException.class, () -> CrossAccountPipelineRoles.Builder.create(target, "PipelineRoles")
                .cicdAccountId(CICD)
                .artifactStore(CicdArtifactStore.fromCicdAccount(target, "Store",
                        io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation.builder().account(CICD).region("eu-west-1").build()))
                .roleNamePrefix("x".repeat(60))
                .build());
        assertTrue(error.getMessage().contains("roleNamePrefix: got"), error.getMessage());
    }
}
