"""CrossReadOnlyRole used from Python: trust, discovery and the deny on data reads."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import CrossReadOnlyRole

CICD = "111111111111"
NONPROD = "222222222222"


def _account_root(account):
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}


def _synth(**props):
    app = cdk.App()
    stack = cdk.Stack(app, "NonProd", env=cdk.Environment(account=NONPROD, region="eu-west-1"))
    role = CrossReadOnlyRole(stack, "ReadOnly", trusted_account_ids=[CICD], **props)
    return role, Template.from_stack(stack)


def test_trusts_the_cicd_account_over_tls():
    _, template = _synth()
    template.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "cicd-read-only",
        "AssumeRolePolicyDocument": {
            "Statement": [{
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": _account_root(CICD)},
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }],
        },
    })


def test_denies_data_reads():
    role, template = _synth()
    assert "s3:GetObject" in role.denied_actions
    template.has_resource_properties("AWS::IAM::Role", {
        "Policies": Match.array_with([{
            "PolicyName": "DenyDataReads",
            "PolicyDocument": Match.object_like({
                "Statement": Match.array_with([Match.object_like({
                    "Effect": "Deny",
                    "Action": Match.array_with(["s3:GetObject", "secretsmanager:GetSecretValue", "kms:Decrypt"]),
                    "Resource": "*",
                })]),
            }),
        }]),
    })


def test_narrows_to_principal_arns():
    arn = f"arn:aws:iam::{CICD}:role/cicd-lookup-*"
    _, template = _synth(trusted_principal_arns=[arn])
    template.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {
            "Statement": [Match.object_like({
                "Condition": {
                    "Bool": {"aws:SecureTransport": "true"},
                    "ArnLike": {"aws:PrincipalArn": [arn]},
                },
            })],
        },
    })


def test_exposes_role_and_outputs():
    role, template = _synth()
    assert role.role.role_arn == role.role_arn
    outputs = template.to_json()["Outputs"]
    for name in ("RoleName", "RoleArn", "RoleId"):
        assert any(key.startswith(f"ReadOnly{name}") for key in outputs), f"no output {name} in {list(outputs)}"


def test_rejects_a_denied_additional_action():
    with pytest.raises(Exception, match=r"additionalReadActions\[0\]: got \"s3:GetObject\""):
        _synth(additional_read_actions=["s3:GetObject"])
