package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CicdArtifactStore;
import io.github.cdkcrossaccountcicd.TargetAccount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/** CicdArtifactStore used from Java: key, buckets, role-ID narrowing, grants and validation. */
class CicdArtifactStoreTest {
    private static final String NONPROD = "222222222222";

    private static Map<String, Object> accountRoot(String account) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":iam::" + account + ":root")));
    }

    @Test
    void defaults() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .build();
        Template template = Template.fromStack(stack);

        template.hasResourceProperties("AWS::KMS::Key", Map.of("EnableKeyRotation", true));
        template.hasResourceProperties("AWS::KMS::Alias", Map.of("AliasName", "alias/cicd/artifacts"));
        template.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "BucketName", "cicd-artifacts-111111111111-eu-west-1",
                "VersioningConfiguration", Map.of("Status", "Enabled")));
        template.hasResourceProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "UseKeyFromTargetsAccounts",
                        "Principal", Map.of("AWS", accountRoot(NONPROD))))))))));
        assertEquals("alias/cicd/artifacts", store.getKeyAlias());
    }

    @Test
    void roleIdNarrowing() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder()
                        .name("nonprod").accountId(NONPROD).roleIds(List.of("AROAAAAAAAAAAAAAAAAAA")).build()))
                .build();

        Template.fromStack(stack).hasResourceProperties("AWS::KMS::Key", Map.of(
                "KeyPolicy", Match.objectLike(Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "UseKeyFromTargetsRoleIds",
                        "Condition", Map.of("StringLike", Map.of("aws:userId", List.of("AROAAAAAAAAAAAAAAAAAA:*")))))))))));
    }

    @Test
    void grantsReadWrite() {
        Stack stack = TestStacks.newStack();
        CicdArtifactStore store = CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId(NONPROD).build()))
                .build();
        Role role = Role.Builder.create(stack, "Builder").assumedBy(new ServicePrincipal("codebuild.amazonaws.com")).build();
        store.grantReadWrite(role);

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Action", Match.arrayWith(List.of("s3:PutObject")))))))));
    }

    @Test
    void invalidAccountIdNamesThePropAndValue() {
        Stack stack = TestStacks.newStack();
        RuntimeException error = assertThrows(RuntimeException.class, () -> CicdArtifactStore.Builder.create(stack, "Store")
                .targetAccounts(List.of(TargetAccount.builder().name("nonprod").accountId("12345").build()))
                .build());
        assertTrue(error.getMessage().contains("targetAccounts[0].accountId: got \"12345\""), error.getMessage());
    }
}
