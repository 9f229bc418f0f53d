"""The library's three-account layout synthesizes into a cloud assembly from Python."""

import aws_cdk as cdk

from cdk_cross_account_cicd import CicdArtifactStore, CrossAccountPipelineRoles, CrossReadOnlyRole, TargetAccount

CICD = "111111111111"
TARGETS = {"nonprod": "222222222222", "prod": "777777777777"}


def _types(template: dict) -> list:
    return sorted(r["Type"] for r in template["Resources"].values() if r["Type"] != "AWS::CDK::Metadata")


def test_three_account_layout_synthesizes(app: cdk.App):
    env = lambda account: cdk.Environment(account=account, region="eu-west-1")  # noqa: E731
    cicd = cdk.Stack(app, "cicd-artifact-store", env=env(CICD))
    store = CicdArtifactStore(cicd, "ArtifactStore",
                              target_accounts=[TargetAccount(name=n, account_id=a) for n, a in TARGETS.items()])
    for name, account in TARGETS.items():
        target = cdk.Stack(app, f"cicd-target-roles-{name}", env=env(account))
        CrossAccountPipelineRoles(target, "PipelineRoles", cicd_account_id=CICD, artifact_store=store)
        CrossReadOnlyRole(target, "ReadOnlyRole", trusted_account_ids=[CICD])

    assembly = app.synth()

    stacks = {s.stack_name: s for s in assembly.stacks}
    assert {n: s.environment.account for n, s in stacks.items()} == {
        "cicd-artifact-store": CICD, "cicd-target-roles-nonprod": TARGETS["nonprod"], "cicd-target-roles-prod": TARGETS["prod"]}
    assert _types(stacks["cicd-artifact-store"].template) == [
        "AWS::KMS::Alias", "AWS::KMS::Key", "AWS::S3::Bucket", "AWS::S3::Bucket", "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy", "AWS::S3::BucketPolicy", "AWS::S3::BucketPolicy"]
    for name in TARGETS:
        target = stacks[f"cicd-target-roles-{name}"]
        roles = sorted(r["Properties"]["RoleName"] for r in target.template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
        assert roles == ["cicd-build", "cicd-cloudformation", "cicd-cross-account", "cicd-read-only"]
        # Deterministic names: no target stack depends on the store's stack (another account).
        assert "cicd-artifact-store" not in [d.id for d in target.dependencies]
