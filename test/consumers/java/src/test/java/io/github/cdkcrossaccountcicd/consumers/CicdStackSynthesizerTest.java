package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CdkBootstrapCompatibility;
import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.CicdStackSynthesizer;
import io.github.cdkcrossaccountcicd.CrossAccountPipelineRoles;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;

/** CicdStackSynthesizer and the CDK assets of the baseline, used from Java. */
class CicdStackSynthesizerTest {
    private static final String CICD = "111111111111";
    private static final String NONPROD = "222222222222";
    private static final Environment NONPROD_ENV = Environment.builder().account(NONPROD).region("eu-west-1").build();

    @Test
    void deploysThroughTheBaseline(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("index.js"), "exports.handler = async () => 'ok';\n");
        App app = App.Builder.create()
                .defaultStackSynthesizer(CicdStackSynthesizer.Builder.create().cicdAccountId(CICD).build())
                .build();
        Stack stack = Stack.Builder.create(app, "Service").env(NONPROD_ENV).build();
        Function.Builder.create(stack, "Fn").runtime(Runtime.NODEJS_20_X).handler("index.handler")
                .code(Code.fromAsset(dir.toString())).build();
        CloudAssembly assembly = app.synth();
        CloudFormationStackArtifact artifact = assembly.getStackByName("Service");
        assertEquals("arn:${AWS::Partition}:iam::222222222222:role/cicd-cross-account", artifact.getAssumeRoleArn());
        assertEquals("arn:${AWS::Partition}:iam::222222222222:role/cicd-cloudformation", artifact.getCloudFormationExecutionRoleArn());
        assertNull(artifact.getRequiresBootstrapStackVersion());
        String manifest = Files.readString(Path.of(assembly.getDirectory(), "Service.assets.json"));
        assertTrue(manifest.contains("\"bucketName\": \"cicd-assets-111111111111-eu-west-1\""), manifest);
        assertTrue(manifest.contains("\"objectKey\": \"222222222222/"), manifest);
        assertTrue(manifest.contains("role/cicd-assets-publishing-eu-west-1"), manifest);
        assertTrue(!manifest.contains("cdk-hnb659fds"), manifest);
    }

    @Test
    void bootstrapCompatibleTargets() {
        App app = new App();
        Stack cicd = Stack.Builder.create(app, "Cicd").env(Environment.builder().account(CICD).region("eu-west-1").build()).build();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(cicd, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .cdkAssets(true)
                .build();
        assertTrue(store.getAssetsBucket() != null);
        Stack target = Stack.Builder.create(app, "NonProd").env(NONPROD_ENV).build();
        CrossAccountPipelineRoles.Builder.create(target, "Roles").cicdAccountId(CICD).artifactStore(store)
                .cdkBootstrapCompatibility(CdkBootstrapCompatibility.builder().qualifier("team1").build())
                .build();
        Template.fromStack(target).hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", "/cdk-bootstrap/team1/version"));
    }

    @Test
    void badPropsNameTheProp() {
        RuntimeException error = assertThrows(RuntimeException.class,
                () -> CicdStackSynthesizer.Builder.create().cicdAccountId("1111").build());
        assertTrue(error.getMessage().contains("cicdAccountId: got \"1111\""), error.getMessage());
    }
}
