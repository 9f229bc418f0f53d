package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CrossAccountPipelineRoles;
import io.github.cdkcrossaccountcicd.CrossReadOnlyRole;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/** The library's three-account layout synthesizes into a cloud assembly from Java. */
class SynthTest {
    private static final String CICD = "111111111111";
    private static final Map<String, String> TARGETS = new TreeMap<>(Map.of("nonprod", "222222222222", "prod", "777777777777"));

    private static Stack stack(App app, String id, String account) {
        return new Stack(app, id, StackProps.builder()
                .env(Environment.builder().account(account).region("eu-west-1").build()).build());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> resources(CloudFormationStackArtifact artifact) {
        Map<String, Object> template = (Map<String, Object>) artifact.getTemplate();
        return ((Map<String, Object>) template.get("Resources")).values().stream()
                .map(r -> (Map<String, Object>) r).collect(Collectors.toList());
    }

    @Test
    @SuppressWarnings("unchecked")
    void threeAccountLayoutSynthesizes() {
        App app = new App();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack(app, "cicd-artifact-store", CICD), "ArtifactStore")
                .targetAccounts(TARGETS.entrySet().stream()
                        .map(t -> TargetAccount.builder().name(t.getKey()).accountId(t.getValue()).build())
                        .collect(Collectors.toList()))
                .build();
        TARGETS.forEach((name, account) -> {
            Stack target = stack(app, "cicd-target-roles-" + name, account);
            CrossAccountPipelineRoles.Builder.create(target, "PipelineRoles").cicdAccountId(CICD).artifactStore(store).build();
            CrossReadOnlyRole.Builder.create(target, "ReadOnlyRole").trustedAccountIds(List.of(CICD)).build();
        });

        CloudAssembly assembly = app.synth();

        Map<String, String> accounts = assembly.getStacks().stream()
                .collect(Collectors.toMap(CloudFormationStackArtifact::getStackName, s -> s.getEnvironment().getAccount(), (a, b) -> a, TreeMap::new));
        assertEquals(Map.of("cicd-artifact-store", CICD, "cicd-target-roles-nonprod", "222222222222", "cicd-target-roles-prod", "777777777777"), accounts);
        List<String> storeTypes = resources(assembly.getStackByName("cicd-artifact-store")).stream()
                .map(r -> (String) r.get("Type")).filter(t -> !t.equals("AWS::CDK::Metadata")).sorted().collect(Collectors.toList());
        assertEquals(List.of("AWS::KMS::Alias", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::S3::Bucket", "AWS::S3::Bucket",
                "AWS::S3::BucketPolicy", "AWS::S3::BucketPolicy", "AWS::S3::BucketPolicy"), storeTypes);
        for (String name : TARGETS.keySet()) {
            CloudFormationStackArtifact target = assembly.getStackByName("cicd-target-roles-" + name);
            List<String> roles = resources(target).stream().filter(r -> "AWS::IAM::Role".equals(r.get("Type")))
                    .map(r -> (String) ((Map<String, Object>) r.get("Properties")).get("RoleName")).sorted().collect(Collectors.toList());
            assertEquals(List.of("cicd-build", "cicd-cloudformation", "cicd-cross-account", "cicd-read-only"), roles);
            // Deterministic names: no target stack depends on the store's stack (another account).
            assertEquals(List.of(), target.getDependencies().stream()
                    .map(d -> d.getId()).filter(id -> id.equals("cicd-artifact-store")).collect(Collectors.toList()));
        }
    }
}
