package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkcrossaccountcicd.CrossReadOnlyRole;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** CrossReadOnlyRole used from Java: trust, the deny on data reads, outputs and validation. */
class CrossReadOnlyRoleTest {
    private static final String CICD = "111111111111";
    private static final String NONPROD = "222222222222";

    private static Stack nonProdStack() {
        App app = new App();
        return new Stack(app, "NonProd", StackProps.builder()
                .env(Environment.builder().account(NONPROD).region("eu-west-1").build())
                .build());
    }

    private static Map<String, Object> accountRoot(String account) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":iam::" + account + ":root")));
    }

    @Test
    void trustsTheCicdAccountOverTls() {
        Stack stack = nonProdStack();
        CrossReadOnlyRole.Builder.create(stack, "ReadOnly").trustedAccountIds(List.of(CICD)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Role", Map.of(
                "RoleName", "cicd-read-only",
                "AssumeRolePolicyDocument", Map.of(
                        "Statement", List.of(Map.of(
                                "Effect", "Allow",
                                "Action", "sts:AssumeRole",
                                "Principal", Map.of("AWS", accountRoot(CICD)),
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "true")))))));
    }

    @Test
    void deniesDataReads() {
        Stack stack = nonProdStack();
        CrossReadOnlyRole role = CrossReadOnlyRole.Builder.create(stack, "ReadOnly").trustedAccountIds(List.of(CICD)).build();

        assertTrue(role.getDeniedActions().contains("s3:GetObject"));
        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Role", Map.of(
                "Policies", Match.arrayWith(List.of(Map.of(
                        "PolicyName", "DenyDataReads",
                        "PolicyDocument", Match.objectLike(Map.of(
                                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                                        "Effect", "Deny",
                                        "Action", Match.arrayWith(List.of("s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt")),
                                        "Resource", "*")))))))))));
    }

    @Test
    void outputsNameArnAndId() {
        Stack stack = nonProdStack();
        CrossReadOnlyRole role = CrossReadOnlyRole.Builder.create(stack, "ReadOnly").trustedAccountIds(List.of(CICD)).build();

        assertTrue(role.getRole() != null);
        Map<String, Map<String, Object>> outputs = Template.fromStack(stack).findOutputs("*");
        for (String name : List.of("RoleName", "RoleArn", "RoleId")) {
            assertTrue(outputs.keySet().stream().anyMatch(k -> k.startsWith("ReadOnly" + name)), "no output " + name + " in " + outputs.keySet());
        }
    }

    @Test
    void rejectsADeniedAdditionalAction() {
        Stack stack = nonProdStack();
        RuntimeException e = assertThrows(RuntimeException.class, () -> CrossReadOnlyRole.Builder.create(stack, "ReadOnly")
                .trustedAccountIds(List.of(CICD))
                .additionalReadActions(List.of("s3:GetObject"))
                .build());
        assertTrue(e.getMessage().contains("additionalReadActions[0]: got \"s3:GetObject\""), e.getMessage());
    }
}
