package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation;
import io.github.cdkcrossaccountcicd.ICicdArtifactStore;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;

/** Container images of the artifact store, used from Java: repositories, policy, grants, errors. */
class ContainerImagesTest {
    private static final String NONPROD = "222222222222";

    @Test
    void repositoryDefaultsAndPolicy() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .imageRepositoryNames(List.of("sample-app"))
                .build();
        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::ECR::Repository", Map.of(
                "RepositoryName", "sample-app",
                "ImageTagMutability", "IMMUTABLE",
                "ImageScanningConfiguration", Map.of("ScanOnPush", true),
                "RepositoryPolicyText", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Sid", "LambdaPullsForTargetFunctions", "Principal", Map.of("Service", "lambda.amazonaws.com"))),
                        Match.objectLike(Map.of("Sid", "DenyPushOutsideCicdAccount", "Effect", "Deny"))))))));
        assertEquals(1, store.getImageRepositories().size());
    }

    @Test
    void mutableTags() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .imageRepositoryNames(List.of("app"))
                .imageTagMutability(TagMutability.MUTABLE)
                .build();
        Template.fromStack(stack).hasResourceProperties("AWS::ECR::Repository", Map.of("ImageTagMutability", "MUTABLE"));
    }

    @Test
    void importerGrantsPull() {
        Stack stack = TestStacks.newStack();
        ICicdArtifactStore store = CicdArtifactStore.fromCicdAccount(stack, "Imported", CicdArtifactStoreLocation.builder()
                .account("111111111111").region("eu-west-1").imageRepositoryNames(List.of("sample-app")).build());
        Role role = Role.Builder.create(stack, "Role").assumedBy(new AccountRootPrincipal()).build();
        store.grantPull(role);
        String text = Template.fromStack(stack).toJSON().toString();
        assertTrue(text.contains(":repository/sample-app"), text);
        assertTrue(text.contains("ecr:GetAuthorizationToken"), text);
    }

    @Test
    void badRepositoryName() {
        Stack stack = TestStacks.newStack();
        RuntimeException error = assertThrows(RuntimeException.class, () -> CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .imageRepositoryNames(List.of("Bad_Name"))
                .build());
        assertTrue(error.getMessage().contains("imageRepositoryNames[0]: got \"Bad_Name\""), error.getMessage());
    }
}
