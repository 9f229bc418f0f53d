package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;

/** A stack synthesizes and the assertions API works from Java. */
class SynthTest {

    @Test
    void stackIsBoundToTheTestEnvironment() {
        Stack stack = TestStacks.newStack();
        assertEquals(TestStacks.ACCOUNT, stack.getAccount());
        assertEquals(TestStacks.REGION, stack.getRegion());
    }

    @Test
    void bucketSynthesizes() {
        Stack stack = TestStacks.newStack();
        Bucket.Builder.create(stack, "Bucket")
                .versioned(true)
                .encryption(BucketEncryption.S3_MANAGED)
                .build();

        Template template = Template.fromStack(stack);
        template.resourceCountIs("AWS::S3::Bucket", 1);
        template.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "BucketEncryption", Map.of(
                        "ServerSideEncryptionConfiguration", Match.arrayWith(List.of(
                                Match.objectLike(Map.of(
                                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256"))))))));
    }

    @Test
    void appSynthWritesACloudAssembly() {
        App app = new App();
        Stack stack = TestStacks.newStack(app);
        new Bucket(stack, "Bucket");

        CloudAssembly assembly = app.synth();
        assertEquals(1, assembly.getStacks().size());
        assertEquals("Test", assembly.getStacks().get(0).getStackName());
    }
}
