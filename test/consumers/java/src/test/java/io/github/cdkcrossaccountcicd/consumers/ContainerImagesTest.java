package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CicdArtifactStoreLocation;
import io.github.cdkcrossaccountcicd.CicdSettings;
import io.github.cdkcrossaccountcicd.CicdSettingsImportOptions;
import io.github.cdkcrossaccountcicd.ICicdArtifactStore;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecr.TagMutability;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

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

    @Test
    @SuppressWarnings("unchecked")
    void settingsRoundTrip() {
        App app = new App();
        Environment env = Environment.builder().account("111111111111").region("eu-west-1").build();
        Stack cicd = Stack.Builder.create(app, "Cicd").env(env).build();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(cicd, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .imageRepositoryNames(List.of("sample-app", "team/worker"))
                .build();
        CicdSettings.Builder.create(cicd, "Settings").artifactStore(store).build();
        Template.fromStack(cicd).hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", "/cicd/artifacts/images/1"));

        // A pipeline of another app in the CICD account.
        Stack pipeline = Stack.Builder.create(new App(), "Pipeline").env(env).build();
        ICicdArtifactStore imported = CicdArtifactStore.fromSsmParameters(pipeline, "Store",
                CicdSettingsImportOptions.builder().imageRepositoryCount(2).build());
        assertEquals(2, imported.getImageRepositories().size());
        Role role = Role.Builder.create(pipeline, "Build").assumedBy(new ServicePrincipal("codebuild.amazonaws.com")).build();
        imported.grantPull(role);
        Map<String, Object> template = (Map<String, Object>) Template.fromStack(pipeline).toJSON();
        Map<String, Map<String, Object>> parameters = (Map<String, Map<String, Object>>) template.get("Parameters");
        String pageParameter = parameters.entrySet().stream()
                .filter(e -> "/cicd/artifacts/images/1".equals(e.getValue().get("Default")))
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        Map<String, Object> page = Map.of("Ref", pageParameter);
        Object first = Map.of("Fn::Select", List.of(0, Map.of("Fn::Split", List.of(",", page))));
        Object second = Map.of("Fn::Select", List.of(1, Map.of("Fn::Split", List.of(",", page))));
        Object pull = Match.objectLike(Map.of("Resource", List.of(first, second)));
        Template.fromStack(pipeline).hasResourceProperties("AWS::IAM::Policy",
                Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(pull)))));
    }

    @Test
    void badImageRepositoryCount() {
        Stack stack = TestStacks.newStack();
        RuntimeException error = assertThrows(RuntimeException.class, () -> CicdArtifactStore.fromSsmParameters(stack, "Store",
                CicdSettingsImportOptions.builder().imageRepositoryCount(-1).build()));
        assertTrue(error.getMessage().contains("imageRepositoryCount: got -1"), error.getMessage());
    }
}
