"""A store that serves several regions, used from Python: regional stores, replication buckets, errors."""
import json

import aws_cdk as cdk
import aws_cdk.aws_codepipeline as codepipeline
import aws_cdk.aws_codepipeline_actions as actions
import pytest
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import (
    CicdArtifactStore,
    CrossAccountPipelineRoles,
    CrossRegionReplicationBucketsOptions,
    TargetAccount,
    TargetAccountRoles,
)

CICD = "111111111111"
NONPROD = "222222222222"
HOME = "eu-west-1"
OTHER = "us-east-1"
REGIONS = [HOME, OTHER]
OTHER_KEY_ARN = f"arn:aws:kms:{OTHER}:{CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_regional_stores_and_target_roles_reach_every_region(app):
    stores = []
    for region in REGIONS:
        stack = cdk.Stack(app, f"Store-{region}", env=cdk.Environment(account=CICD, region=region))
        stores.append(CicdArtifactStore(stack, "Store", regions=REGIONS,
                                        target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)]))
    target = cdk.Stack(app, "Target", env=cdk.Environment(account=NONPROD, region=HOME))
    CrossAccountPipelineRoles(target, "Roles", cicd_account_id=CICD, artifact_store=stores[0])
    Template.from_stack(cdk.Stack.of(stores[1])).has_resource_properties(
        "AWS::S3::Bucket", {"BucketName": f"cicd-artifacts-{CICD}-{OTHER}"})
    assert stores[1].regions == REGIONS
    text = json.dumps(Template.from_stack(target).find_resources("AWS::IAM::Policy"))
    assert f"cicd-artifacts-{CICD}-{OTHER}/*" in text
    assert f":kms:{OTHER}:{CICD}:key/*" in text


def test_cross_region_replication_buckets_leave_no_support_stack(app):
    stack = cdk.Stack(app, "Pipeline", env=cdk.Environment(account=CICD, region=HOME))
    buckets = CicdArtifactStore.cross_region_replication_buckets(stack, "StoreBuckets", account=CICD, regions=REGIONS,
                                                                  key_arns={OTHER: OTHER_KEY_ARN})
    assert sorted(buckets.keys()) == sorted(REGIONS)
    pipeline = codepipeline.Pipeline(stack, "Pipeline", cross_region_replication_buckets=buckets)
    source = codepipeline.Artifact("Source")
    pipeline.add_stage(stage_name="Source", actions=[actions.S3SourceAction(
        action_name="Template", bucket=buckets[HOME], bucket_key="app/source.zip", output=source, trigger=actions.S3Trigger.NONE)])
    roles = TargetAccountRoles.from_target_account(stack, "NonprodRoles", TargetAccount(name="nonprod", account_id=NONPROD))
    pipeline.add_stage(stage_name="Deploy", actions=[actions.CloudFormationCreateUpdateStackAction(
        action_name="Deploy", region=OTHER, stack_name="app", template_path=source.at_path("app.template.json"),
        admin_permissions=False, role=roles.cross_account_role, deployment_role=roles.cloud_formation_role)])
    assembly = app.synth()
    assert [s.stack_name for s in assembly.stacks] == ["Pipeline"]
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::KMS::Key", 0)
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {
        "ArtifactStores": Match.array_with([{
            "Region": OTHER,
            "ArtifactStore": {"Type": "S3", "Location": f"cicd-artifacts-{CICD}-{OTHER}",
                              "EncryptionKey": {"Type": "KMS", "Id": OTHER_KEY_ARN}},
        }]),
    })


def test_bad_regions_name_the_python_prop(stack):
    with pytest.raises(Exception, match=r"regions\[1\]: got \"mars-north-1\""):
        CicdArtifactStore(stack, "Store", regions=[stack.region, "mars-north-1"])
    with pytest.raises(Exception, match=r"keyArns\.us-east-1: got .*allowed: a KMS key ARN"):
        CicdArtifactStore.cross_region_replication_buckets(stack, "Buckets", account=CICD, regions=REGIONS,
                                                            key_arns={OTHER: "alias/cicd/artifacts"})


def test_options_struct_is_exported():
    options = CrossRegionReplicationBucketsOptions(account=CICD, regions=REGIONS)
    assert options.regions == REGIONS
