"""CicdArtifactStore used from Python: key, buckets, narrowing, single-account mode, errors."""
import aws_cdk as cdk
import aws_cdk.aws_iam as iam
import pytest
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import CicdArtifactStore, TargetAccount

CICD = "111111111111"
NONPROD = "222222222222"
PROD = "777777777777"


def _root(account):
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}


def _key_statements(template):
    keys = template.find_resources("AWS::KMS::Key")
    assert len(keys) == 1
    return next(iter(keys.values()))["Properties"]["KeyPolicy"]["Statement"]


def _by_sid(statements, sid):
    return next((s for s in statements if s.get("Sid") == sid), None)


def test_defaults(stack):
    store = CicdArtifactStore(stack, "Store", target_accounts=[
        TargetAccount(name="nonprod", account_id=NONPROD),
        TargetAccount(name="prod", account_id=PROD),
    ])
    template = Template.from_stack(stack)
    template.has_resource("AWS::KMS::Key", {"Properties": {"EnableKeyRotation": True}, "DeletionPolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/cicd/artifacts"})
    template.has_resource_properties("AWS::S3::Bucket", {
        "BucketName": f"cicd-artifacts-{CICD}-eu-west-1",
        "VersioningConfiguration": {"Status": "Enabled"},
        "BucketEncryption": Match.object_like({
            "ServerSideEncryptionConfiguration": [Match.object_like({"BucketKeyEnabled": True})],
        }),
    })
    statement = _by_sid(_key_statements(template), "UseKeyFromTargetsAccounts")
    assert statement["Principal"] == {"AWS": [_root(NONPROD), _root(PROD)]}
    assert "kms:CreateGrant" not in statement["Action"]
    # the interface members are usable from Python
    assert store.key_alias == "alias/cicd/artifacts"
    bucket_ref = stack.resolve(store.artifacts_bucket.bucket_name)["Ref"]
    assert bucket_ref.startswith("StoreArtifactsBucket")


def test_role_id_narrowing(stack):
    CicdArtifactStore(stack, "Store", target_accounts=[
        TargetAccount(name="nonprod", account_id=NONPROD, role_ids=["AROAAAAAAAAAAAAAAAAAA"]),
    ])
    statement = _by_sid(_key_statements(Template.from_stack(stack)), "UseKeyFromTargetsRoleIds")
    assert statement["Principal"] == {"AWS": _root(NONPROD)}
    assert statement["Condition"] == {"StringLike": {"aws:userId": ["AROAAAAAAAAAAAAAAAAAA:*"]}}


def test_single_account_mode_has_no_cross_account_statement(stack):
    CicdArtifactStore(stack, "Store", target_accounts=[TargetAccount(name="cicd", account_id=CICD)])
    sids = [s.get("Sid") for s in _key_statements(Template.from_stack(stack))]
    assert sids == ["AdministerKeyFromThisAccount"]


def test_grant_read_write(stack):
    store = CicdArtifactStore(stack, "Store", target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)])
    role = iam.Role(stack, "Builder", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    store.grant_read_write(role)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Action": Match.array_with(["s3:PutObject"])})])},
    })


def test_targets_read_and_writers_opt_in(stack):
    CicdArtifactStore(stack, "Store", target_accounts=[
        TargetAccount(name="nonprod", account_id=NONPROD, artifact_writer_role_arns=[f"arn:aws:iam::{NONPROD}:role/cicd-build"]),
        TargetAccount(name="prod", account_id="777777777777"),
    ])
    template = Template.from_stack(stack)
    sids = [s.get("Sid") for s in _key_statements(template)]
    assert sids == ["AdministerKeyFromThisAccount", "UseKeyFromTargetsAccounts", "EncryptWithKeyFromWritersRoleArns"]


def test_invalid_account_id_names_the_prop_and_value(stack):
    with pytest.raises(RuntimeError, match=r'targetAccounts\[0\]\.accountId: got "12345"'):
        CicdArtifactStore(stack, "Store", target_accounts=[TargetAccount(name="nonprod", account_id="12345")])


def test_imported_store(stack):
    store = CicdArtifactStore.from_artifact_store_attributes(stack, "Imported",
        key_arn=f"arn:aws:kms:eu-west-1:{CICD}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        artifacts_bucket_name=f"cicd-artifacts-{CICD}-eu-west-1",
        templates_bucket_name=f"cicd-templates-{CICD}-eu-west-1")
    assert store.templates_bucket.bucket_name == f"cicd-templates-{CICD}-eu-west-1"
