"""A stack synthesizes and the assertions API works from Python."""

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template


def test_stack_is_bound_to_the_test_environment(stack: cdk.Stack, environment: cdk.Environment):
    assert stack.account == environment.account == "111111111111"
    assert stack.region == environment.region == "eu-west-1"


def test_bucket_synthesizes(stack: cdk.Stack):
    s3.Bucket(stack, "Bucket", versioned=True, encryption=s3.BucketEncryption.S3_MANAGED)

    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::Bucket", 1)
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": Match.array_with(
                    [Match.object_like({"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})]
                )
            },
        },
    )


def test_app_synth_writes_a_cloud_assembly(app: cdk.App, stack: cdk.Stack):
    s3.Bucket(stack, "Bucket")
    assembly = app.synth()
    assert [s.stack_name for s in assembly.stacks] == ["Test"]
