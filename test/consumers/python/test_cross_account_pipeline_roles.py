"""CrossAccountPipelineRoles used from Python: the three roles beside a store in another stack."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from cdk_cross_account_cicd import CicdArtifactStore, CrossAccountPipelineRoles, TargetAccount

CICD = "111111111111"
NONPROD = "222222222222"


def _layout(**props):
    app = cdk.App()
    cicd = cdk.Stack(app, "Cicd", env=cdk.Environment(account=CICD, region="eu-west-1"))
    store = CicdArtifactStore(cicd, "Store", target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)])
    target = cdk.Stack(app, "Nonprod", env=cdk.Environment(account=NONPROD, region="eu-west-1"))
    roles = CrossAccountPipelineRoles(target, "PipelineRoles", cicd_account_id=CICD, artifact_store=store, **props)
    return app, roles, Template.from_stack(target)


def test_three_roles_with_deterministic_names():
    app, roles, template = _layout()
    names = sorted(r["Properties"]["RoleName"] for r in template.find_resources("AWS::IAM::Role").values())
    assert names == ["cicd-build", "cicd-cloudformation", "cicd-cross-account"]
    assert CrossAccountPipelineRoles.cross_account_role_name() == "cicd-cross-account"
    assert roles.cross_account_role is not None
    app.synth()  # no cross-environment reference


def test_cross_account_role_trusts_the_cicd_account_over_tls():
    _, _, template = _layout()
    role = next(r for r in template.find_resources("AWS::IAM::Role").values() if r["Properties"]["RoleName"] == "cicd-cross-account")
    statement = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "true"}}


def test_passes_only_the_cloudformation_role_to_cloudformation():
    _, _, template = _layout()
    statements = [s for p in template.find_resources("AWS::IAM::Policy").values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    passing = [s for s in statements if s.get("Action") == "iam:PassRole" and s["Effect"] == "Allow"]
    assert len(passing) == 1
    assert passing[0]["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}


def test_prefix_too_long_is_refused():
    with pytest.raises(RuntimeError, match=r"roleNamePrefix: got"):
        _layout(role_name_prefix="x" * 60)


def test_the_baseline_boundary_holds_the_cloudformation_role_and_protects_named_roles():
    _, roles, template = _layout(protected_role_names=["inventory-read-only"])
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    assert [p["Properties"]["ManagedPolicyName"] for p in policies.values()] == ["cicd-permissions-boundary"]
    assert CrossAccountPipelineRoles.permissions_boundary_name() == "cicd-permissions-boundary"
    assert roles.permissions_boundary is not None
    cfn = next(r for r in template.find_resources("AWS::IAM::Role").values() if r["Properties"]["RoleName"] == "cicd-cloudformation")
    assert cfn["Properties"]["PermissionsBoundary"] == {"Ref": next(iter(policies))}
    assert ":role/inventory-read-only" in str(policies)


def test_without_permissions_boundary_and_artifact_writers():
    _, roles, template = _layout(without_permissions_boundary=True, can_write_artifacts=True)
    assert roles.permissions_boundary is None
    assert template.find_resources("AWS::IAM::ManagedPolicy") == {}
    actions = [a for p in template.find_resources("AWS::IAM::Policy").values() for s in p["Properties"]["PolicyDocument"]["Statement"]
               if s["Effect"] == "Allow" for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
    assert "s3:PutObject" in actions
