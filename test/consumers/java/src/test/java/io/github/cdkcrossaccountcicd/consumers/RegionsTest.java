package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CrossAccountPipelineRoles;
import io.github.cdkcrossaccountcicd.CrossRegionReplicationBucketsOptions;
import io.github.cdkcrossaccountcicd.TargetAccount;
import io.github.cdkcrossaccountcicd.TargetAccountRoles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CloudFormationCreateUpdateStackAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;
import software.amazon.awscdk.services.codepipeline.actions.S3Trigger;
import software.amazon.awscdk.services.s3.IBucket;

/** A store that serves several regions, used from Java: regional stores, replication buckets, errors. */
class RegionsTest {
    private static final String CICD = "111111111111";
    private static final String NONPROD = "222222222222";
    private static final String HOME = "eu-west-1";
    private static final String OTHER = "us-east-1";
    private static final List<String> REGIONS = List.of(HOME, OTHER);
    private static final String OTHER_KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static Stack stackIn(final App app, final String id, final String account, final String region) {
        return new Stack(app, id, StackProps.builder().env(Environment.builder().account(account).region(region).build()).build());
    }

    @Test
    void regionalStoresAndTargetRolesReachEveryRegion() {
        App app = new App();
        List<CicdArtifactStore> stores = new ArrayList<>();
        for (String region : REGIONS) {
            stores.add(CicdArtifactStore.Builder.create(stackIn(app, "Store-" + region, CICD, region), "Store")
                    .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                    .regions(REGIONS)
                    .build());
        }
        assertEquals(REGIONS, stores.get(1).getRegions());
        Stack target = stackIn(app, "Target", NONPROD, HOME);
        CrossAccountPipelineRoles.Builder.create(target, "Roles").cicdAccountId(CICD).artifactStore(stores.get(0)).build();
        String text = Template.fromStack(target).findResources("AWS::IAM::Policy").toString();
        assertTrue(text.contains("cicd-artifacts-111111111111-us-east-1/*"), text);
        assertTrue(text.contains(":kms:us-east-1:111111111111:key/*"), text);
    }

    @Test
    void replicationBucketsForThePipeline() {
        App app = new App();
        Stack stack = stackIn(app, "Pipeline", CICD, HOME);
        Map<String, IBucket> buckets = CicdArtifactStore.crossRegionReplicationBuckets(stack, "StoreBuckets",
                CrossRegionReplicationBucketsOptions.builder().account(CICD).regions(REGIONS).keyArns(Map.of(OTHER, OTHER_KEY_ARN)).build());
        assertEquals(new TreeSet<>(REGIONS), new TreeSet<>(buckets.keySet()));
        Pipeline pipeline = Pipeline.Builder.create(stack, "Pipeline").crossRegionReplicationBuckets(buckets).build();
        Artifact source = Artifact.artifact("Source");
        pipeline.addStage(StageOptions.builder().stageName("Source").actions(List.of(S3SourceAction.Builder.create()
                .actionName("Template").bucket(buckets.get(HOME)).bucketKey("app/source.zip").output(source).trigger(S3Trigger.NONE).build())).build());
        TargetAccountRoles roles = TargetAccountRoles.fromTargetAccount(stack, "NonprodRoles",
                TargetAccount.builder().name("nonprod").accountId(NONPROD).build());
        pipeline.addStage(StageOptions.builder().stageName("Deploy").actions(List.of(CloudFormationCreateUpdateStackAction.Builder.create()
                .actionName("Deploy").region(OTHER).stackName("app").templatePath(source.atPath("app.template.json"))
                .adminPermissions(false).role(roles.getCrossAccountRole()).deploymentRole(roles.getCloudFormationRole()).build())).build());
        assertEquals(1, app.synth().getStacks().size());
        Template template = Template.fromStack(stack);
        template.resourceCountIs("AWS::KMS::Key", 0);
        template.hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of("ArtifactStores", Match.arrayWith(List.of(Map.of(
                "Region", OTHER,
                "ArtifactStore", Map.of("Type", "S3", "Location", "cicd-artifacts-111111111111-us-east-1",
                        "EncryptionKey", Map.of("Type", "KMS", "Id", OTHER_KEY_ARN)))))));
    }

    @Test
    void badRegionsAreRefused() {
        Stack stack = TestStacks.newStack();
        RuntimeException error = assertThrows(RuntimeException.class, () -> CicdArtifactStore.Builder.create(stack, "Store")
                .regions(List.of(OTHER)).build());
        assertTrue(error.getMessage().contains("regions: got [\"us-east-1\"]; allowed: a list that includes the stack's region (eu-west-1)"), error.getMessage());
    }
}
