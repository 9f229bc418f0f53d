"""CicdSettings and the importers used from Python: parameters, and a pipeline that reads them."""
import aws_cdk as cdk
import aws_cdk.aws_codepipeline as codepipeline
import aws_cdk.aws_codepipeline_actions as actions
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import CicdArtifactStore, CicdSettings, TargetAccount, TargetAccountRoles, TargetAccountSettings


def test_publishes_parameters(stack):
    store = CicdArtifactStore(stack, "Store", target_accounts=[TargetAccount(name="nonprod", account_id="222222222222")])
    CicdSettings(stack, "Settings", artifact_store=store,
                 target_accounts=[TargetAccountSettings(name="nonprod", account_id="222222222222")])
    names = sorted(p["Properties"]["Name"] for p in Template.from_stack(stack).find_resources("AWS::SSM::Parameter").values())
    assert "/cicd/artifacts/kms/key-arn" in names
    assert "/cicd/artifacts/accounts/nonprod/roles/cross-account/arn" in names


def test_pipeline_uses_the_importers(stack):
    store = CicdArtifactStore.from_ssm_parameters(stack, "Store")
    nonprod = TargetAccountRoles.from_ssm_parameters(stack, "Nonprod", "nonprod")
    source = codepipeline.Artifact("Source")
    pipeline = codepipeline.Pipeline(stack, "Pipeline", artifact_bucket=store.artifacts_bucket)
    pipeline.add_stage(stage_name="Source", actions=[actions.S3SourceAction(
        action_name="Source", bucket=store.templates_bucket, bucket_key="app/source.zip", output=source)])
    pipeline.add_stage(stage_name="Deploy", actions=[actions.CloudFormationCreateUpdateStackAction(
        action_name="Deploy", stack_name="app", template_path=source.at_path("app.template.json"),
        admin_permissions=False, role=nonprod.cross_account_role, deployment_role=nonprod.cloud_formation_role)])
    template = Template.from_stack(stack)
    parameters = template.to_json()["Parameters"]
    role_param = next(k for k, p in parameters.items() if p.get("Default") == "/cicd/artifacts/accounts/nonprod/roles/cross-account/arn")
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {
        "Stages": Match.array_with([Match.object_like({
            "Name": "Deploy",
            "Actions": [Match.object_like({"RoleArn": {"Ref": role_param}})],
        })]),
    })
