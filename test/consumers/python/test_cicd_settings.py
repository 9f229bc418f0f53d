"""CicdSettings and the importers used from Python: parameters, and a pipeline that reads them."""
import json

import aws_cdk as cdk
import aws_cdk.aws_codepipeline as codepipeline
import aws_cdk.aws_codepipeline_actions as actions
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import CicdArtifactStore, CicdSettings, TargetAccount, TargetAccountRoles

NONPROD = TargetAccount(name="nonprod", account_id="222222222222")


def test_publishes_parameters(stack):
    store = CicdArtifactStore(stack, "Store", target_accounts=[NONPROD])
    CicdSettings(stack, "Settings", artifact_store=store, target_accounts=[NONPROD], role_name_prefix="team")
    parameters = {p["Properties"]["Name"]: p["Properties"]["Value"]
                  for p in Template.from_stack(stack).find_resources("AWS::SSM::Parameter").values()}
    assert "/cicd/artifacts/kms/key-arn" in parameters
    registry = json.loads(parameters["/cicd/artifacts/targets/1"])
    assert registry["roleNamePrefix"] == "team"
    assert registry["targets"] == [{"name": "nonprod", "accountId": "222222222222"}]
    assert not any(name.startswith("/cicd/artifacts/accounts/") for name in parameters)


def test_pipeline_uses_the_importers(stack):
    store = CicdArtifactStore.from_ssm_parameters(stack, "Store")
    nonprod = TargetAccountRoles.from_target_account(stack, "Nonprod", NONPROD)
    source = codepipeline.Artifact("Source")
    pipeline = codepipeline.Pipeline(stack, "Pipeline", artifact_bucket=store.artifacts_bucket)
    pipeline.add_stage(stage_name="Source", actions=[actions.S3SourceAction(
        action_name="Source", bucket=store.templates_bucket, bucket_key="app/source.zip", output=source)])
    pipeline.add_stage(stage_name="Deploy", actions=[actions.CloudFormationCreateUpdateStackAction(
        action_name="Deploy", stack_name="app", template_path=source.at_path("app.template.json"),
        admin_permissions=False, role=nonprod.cross_account_role, deployment_role=nonprod.cloud_formation_role)])
    template = Template.from_stack(stack)
    # The stack's region is literal, so the partition is too: a plain ARN.
    role_arn = "arn:aws:iam::222222222222:role/cicd-cross-account"
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {
        "Stages": Match.array_with([Match.object_like({
            "Name": "Deploy",
            "Actions": [Match.object_like({"RoleArn": role_arn})],
        })]),
    })
    assert nonprod.account_id == "222222222222"
