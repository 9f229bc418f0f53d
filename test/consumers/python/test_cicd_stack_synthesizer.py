"""CicdStackSynthesizer and the CDK assets of the baseline, used from Python."""
import json
import os

import aws_cdk as cdk
import aws_cdk.aws_lambda as lambda_
import pytest
from aws_cdk.assertions import Template

from cdk_cross_account_cicd import (
    CdkBootstrapCompatibility,
    CicdArtifactStore,
    CicdStackSynthesizer,
    CrossAccountPipelineRoles,
    CrossReadOnlyRole,
    TargetAccount,
)

CICD = "111111111111"
NONPROD = "222222222222"
REGION = "eu-west-1"


def _service(tmp_path, **synthesizer_props):
    (tmp_path / "index.js").write_text('exports.handler = async () => "ok";\n')
    app = cdk.App(default_stack_synthesizer=CicdStackSynthesizer(cicd_account_id=CICD, **synthesizer_props))
    stack = cdk.Stack(app, "Service", env=cdk.Environment(account=NONPROD, region=REGION))
    lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.NODEJS_20_X, handler="index.handler",
                     code=lambda_.Code.from_asset(str(tmp_path)))
    assembly = app.synth()
    with open(os.path.join(assembly.directory, "Service.assets.json")) as f:
        manifest = json.load(f)
    return assembly.get_stack_by_name("Service"), manifest


def test_deploys_through_the_baseline_roles_and_the_central_assets_bucket(tmp_path):
    artifact, manifest = _service(tmp_path)
    assert artifact.assume_role_arn == "arn:${AWS::Partition}:iam::222222222222:role/cicd-cross-account"
    assert artifact.cloud_formation_execution_role_arn == "arn:${AWS::Partition}:iam::222222222222:role/cicd-cloudformation"
    assert artifact.requires_bootstrap_stack_version is None
    destinations = [d for f in manifest["files"].values() for d in f["destinations"].values()]
    assert len(destinations) == 2
    for d in destinations:
        assert d["bucketName"] == "cicd-assets-111111111111-eu-west-1"
        assert d["objectKey"].startswith("222222222222/")
        assert d["assumeRoleArn"] == "arn:${AWS::Partition}:iam::111111111111:role/cicd-assets-publishing-eu-west-1"


def test_bootstrap_compatibility(tmp_path):
    artifact, _ = _service(tmp_path, cdk_bootstrap_compatibility=CdkBootstrapCompatibility(qualifier="team1"))
    assert artifact.requires_bootstrap_stack_version == 6
    assert artifact.bootstrap_stack_version_ssm_parameter == "/cdk-bootstrap/team1/version"


def test_store_and_targets_serve_the_synthesizer(app):
    cicd = cdk.Stack(app, "Cicd", env=cdk.Environment(account=CICD, region=REGION))
    store = CicdArtifactStore(cicd, "Store", target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)], cdk_assets=True)
    assert store.assets_bucket is not None and store.asset_publishing_role is not None
    target = cdk.Stack(app, "NonProd", env=cdk.Environment(account=NONPROD, region=REGION))
    compat = CdkBootstrapCompatibility()
    CrossAccountPipelineRoles(target, "Roles", cicd_account_id=CICD, artifact_store=store, cdk_bootstrap_compatibility=compat)
    CrossReadOnlyRole(target, "ReadOnly", trusted_account_ids=[CICD], cdk_bootstrap_compatibility=compat)
    Template.from_stack(cicd).has_resource_properties("AWS::S3::Bucket", {"BucketName": "cicd-assets-111111111111-eu-west-1"})
    template = Template.from_stack(target)
    template.has_resource_properties("AWS::SSM::Parameter", {"Name": "/cdk-bootstrap/cicd/version", "Value": "33"})
    assert "cicd-assets-111111111111-*/" in json.dumps(template.to_json())


def test_bad_props_name_the_prop():
    with pytest.raises(Exception, match=r'cicdAccountId: got "1111".*\(Python: cicd_account_id\)'):
        CicdStackSynthesizer(cicd_account_id="1111")
