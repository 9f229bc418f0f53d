package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation;
import io.github.cdkcrossaccountcicd.ICicdArtifactStore;
import io.github.cdkcrossaccountcicd.PackageRepositoryOptions;
import io.github.cdkcrossaccountcicd.PackageUpstream;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;

/** Packages (CodeArtifact) of the artifact store, used from Java: domain, policies, grants, errors. */
class PackagesTest {
    private static final String NONPROD = "222222222222";

    @Test
    void domainRepositoryAndUpstream() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .packages(PackageRepositoryOptions.builder().upstreams(List.of(PackageUpstream.MAVEN_CENTRAL)).build())
                .build();
        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::CodeArtifact::Domain", Map.of(
                "DomainName", "cicd",
                "PermissionsPolicyDocument", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Sid", "GetTokenFromTargetsAccounts", "Action", "codeartifact:GetAuthorizationToken")),
                        Match.objectLike(Map.of("Sid", "DenyWritesOutsideCicdAccount", "Effect", "Deny"))))))));
        template.hasResourceProperties("AWS::CodeArtifact::Repository", Map.of(
                "RepositoryName", "packages-maven-central",
                "ExternalConnections", List.of("public:maven-central")));
        assertEquals("packages", store.getPackageRepositoryName());
    }

    @Test
    void importerGrantsReadAndPublish() {
        Stack stack = TestStacks.newStack();
        ICicdArtifactStore store = CicdArtifactStore.fromCicdAccount(stack, "Imported", CicdArtifactStoreLocation.builder()
                .account("111111111111").region("eu-west-1").packages(PackageRepositoryOptions.builder().build()).build());
        Role role = Role.Builder.create(stack, "Role").assumedBy(new AccountRootPrincipal()).build();
        assertTrue(store.grantReadPackages(role).getSuccess());
        String text = Template.fromStack(stack).toJSON().toString();
        assertTrue(text.contains(":codeartifact:eu-west-1:111111111111:domain/cicd"), text);
        assertTrue(text.contains(":package/cicd/packages/*"), text);
        assertTrue(text.contains("sts:GetServiceBearerToken"), text);
    }

    @Test
    void storeWithoutPackagesGrantsNothing() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .build();
        Role role = Role.Builder.create(stack, "Role").assumedBy(new AccountRootPrincipal()).build();
        assertFalse(store.grantPublishPackages(role).getSuccess());
    }

    @Test
    void badRepositoryName() {
        Stack stack = TestStacks.newStack();
        RuntimeException error = assertThrows(RuntimeException.class, () -> CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .packages(PackageRepositoryOptions.builder().repositoryName("-libs").build())
                .build());
        assertTrue(error.getMessage().contains("packages.repositoryName: got \"-libs\""), error.getMessage());
    }
}
