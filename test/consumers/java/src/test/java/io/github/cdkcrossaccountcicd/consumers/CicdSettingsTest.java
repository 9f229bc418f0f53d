package io.github.cdkcrossaccountcicd.consumers;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CicdSettings;
import io.github.cdkcrossaccountcicd.ICicdArtifactStore;
import io.github.cdkcrossaccountcicd.TargetAccount;
import io.github.cdkcrossaccountcicd.TargetAccountRoles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codepipeline.Artifact;
import software.amazon.awscdk.services.codepipeline.Pipeline;
import software.amazon.awscdk.services.codepipeline.StageOptions;
import software.amazon.awscdk.services.codepipeline.actions.CloudFormationCreateUpdateStackAction;
import software.amazon.awscdk.services.codepipeline.actions.S3SourceAction;

/** CicdSettings and the importers used from Java: parameters, and a pipeline that reads them. */
class CicdSettingsTest {
    @Test
    void publishesParameters() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId("222222222222").build()))
                .build();
        CicdSettings.Builder.create(stack, "Settings").artifactStore(store)
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId("222222222222").build()))
                .build();
        Template template = Template.fromStack(stack);
        template.hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", "/cicd/artifacts/kms/key-arn"));
        template.hasResourceProperties("AWS::SSM::Parameter", Map.of(
                "Name", "/cicd/artifacts/targets/1",
                "Value", Match.stringLikeRegexp("\\{\"layout\":2,.*\"targets\":\\[\\{\"name\":\"nonprod\",\"accountId\":\"222222222222\"\\}\\]\\}")));
        template.resourcePropertiesCountIs("AWS::SSM::Parameter", Map.of("Name", Match.stringLikeRegexp("/cicd/artifacts/accounts/.*")), 0);
    }

    @Test
    void pipelineUsesTheImporters() {
        Stack stack = TestStacks.newStack();
        ICicdArtifactStore store = CicdArtifactStore.fromSsmParameters(stack, "Store");
        TargetAccountRoles nonprod = TargetAccountRoles.fromTargetAccount(stack, "Nonprod",
                TargetAccount.builder().name("nonprod").accountId("222222222222").build());
        Artifact source = new Artifact("Source");
        Pipeline pipeline = Pipeline.Builder.create(stack, "Pipeline").artifactBucket(store.getArtifactsBucket()).build();
        pipeline.addStage(StageOptions.builder().stageName("Source").actions(List.of(S3SourceAction.Builder.create()
                .actionName("Source").bucket(store.getTemplatesBucket()).bucketKey("app/source.zip").output(source).build())).build());
        pipeline.addStage(StageOptions.builder().stageName("Deploy").actions(List.of(CloudFormationCreateUpdateStackAction.Builder.create()
                .actionName("Deploy").stackName("app").templatePath(source.atPath("app.template.json")).adminPermissions(false)
                .role(nonprod.getCrossAccountRole()).deploymentRole(nonprod.getCloudFormationRole()).build())).build());

        Template.fromStack(stack).hasResourceProperties("AWS::CodePipeline::Pipeline", Map.of(
                "Stages", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "Deploy",
                        "Actions", List.of(Match.objectLike(Map.of("RoleArn", "arn:aws:iam::222222222222:role/cicd-cross-account")))))))));
    }
}
