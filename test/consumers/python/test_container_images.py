"""Container images of the artifact store, used from Python: repositories, pulls, grants, errors."""
import aws_cdk as cdk
import aws_cdk.aws_ecr as ecr
import pytest
from aws_cdk.assertions import Match, Template

from cdk_cross_account_cicd import CicdArtifactStore, CrossAccountPipelineRoles, TargetAccount

CICD = "111111111111"
NONPROD = "222222222222"


def _repository_statements(template, name):
    repos = template.find_resources("AWS::ECR::Repository", {"Properties": {"RepositoryName": name}})
    assert len(repos) == 1
    return next(iter(repos.values()))["Properties"]["RepositoryPolicyText"]["Statement"]


def _by_sid(statements, sid):
    return next((s for s in statements if s.get("Sid") == sid), None)


def test_repository_defaults_and_policy(stack):
    store = CicdArtifactStore(stack, "Store",
                              target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                              image_repository_names=["sample-app"])
    template = Template.from_stack(stack)
    template.has_resource("AWS::ECR::Repository", {
        "Properties": Match.object_like({
            "RepositoryName": "sample-app",
            "ImageTagMutability": "IMMUTABLE",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "EncryptionConfiguration": Match.object_like({"EncryptionType": "KMS"}),
        }),
        "DeletionPolicy": "Retain",
    })
    statements = _repository_statements(template, "sample-app")
    assert _by_sid(statements, "PullImagesFromTargetsAccounts")["Action"] == [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    lambda_pull = _by_sid(statements, "LambdaPullsForTargetFunctions")
    assert lambda_pull["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert _by_sid(statements, "DenyPushOutsideCicdAccount")["Effect"] == "Deny"
    assert len(store.image_repositories) == 1
    assert store.image_repository_names == ["sample-app"]


def test_mutable_tags_from_python(stack):
    CicdArtifactStore(stack, "Store",
                      target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                      image_repository_names=["app"],
                      image_tag_mutability=ecr.TagMutability.MUTABLE,
                      untagged_image_retention=cdk.Duration.days(3))
    Template.from_stack(stack).has_resource_properties("AWS::ECR::Repository", {"ImageTagMutability": "MUTABLE"})


def test_target_roles_pull_by_arn(app):
    store_stack = cdk.Stack(app, "Cicd", env=cdk.Environment(account=CICD, region="eu-west-1"))
    store = CicdArtifactStore(store_stack, "Store",
                              target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                              image_repository_names=["sample-app"])
    target = cdk.Stack(app, "NonProd", env=cdk.Environment(account=NONPROD, region="eu-west-1"))
    CrossAccountPipelineRoles(target, "Roles", cicd_account_id=CICD, artifact_store=store)
    text = str(Template.from_stack(target).to_json())
    assert ":ecr:eu-west-1:111111111111:repository/sample-app" in text
    assert "ecr:GetAuthorizationToken" in text


def test_importer_grant_pull(stack):
    imported = CicdArtifactStore.from_cicd_account(stack, "Imported", account=CICD, region="eu-west-1",
                                                   image_repository_names=["sample-app"])
    role = cdk.aws_iam.Role(stack, "Role", assumed_by=cdk.aws_iam.AccountRootPrincipal())
    imported.grant_pull(role)
    assert ":repository/sample-app" in str(Template.from_stack(stack).to_json())


def test_bad_repository_name(stack):
    with pytest.raises(Exception, match=r'imageRepositoryNames\[0\]: got "Bad_Name"'):
        CicdArtifactStore(stack, "Store",
                          target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                          image_repository_names=["Bad_Name"])


def test_settings_round_trip(app):
    """The settings publish the repositories' ARNs; fromSsmParameters reads them back, and grant_pull uses them."""
    from cdk_cross_account_cicd import CicdSettings
    env = cdk.Environment(account=CICD, region="eu-west-1")
    cicd = cdk.Stack(app, "Cicd", env=env)
    store = CicdArtifactStore(cicd, "Store",
                              target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                              image_repository_names=["sample-app", "team/worker"])
    CicdSettings(cicd, "Settings", artifact_store=store)
    written = {p["Properties"]["Name"]: p["Properties"]["Value"]
               for p in Template.from_stack(cicd).find_resources("AWS::SSM::Parameter").values()}
    assert sorted(n for n in written if "/images/" in n) == ["/cicd/artifacts/images/1"]
    page = written["/cicd/artifacts/images/1"]["Fn::Join"][1]
    assert [p for p in page if p != ","] == [{"Fn::GetAtt": [rid, "Arn"]} for rid in
                                            Template.from_stack(cicd).find_resources("AWS::ECR::Repository")]

    # A pipeline of another app in the CICD account.
    pipeline = cdk.Stack(cdk.App(), "Pipeline", env=env)
    imported = CicdArtifactStore.from_ssm_parameters(pipeline, "Store", image_repository_count=2)
    assert len(imported.image_repositories) == 2
    role = cdk.aws_iam.Role(pipeline, "Build", assumed_by=cdk.aws_iam.ServicePrincipal("codebuild.amazonaws.com"))
    imported.grant_pull(role)
    template = Template.from_stack(pipeline).to_json()
    ssm_params = {k: v["Default"] for k, v in template["Parameters"].items() if v["Default"].startswith("/cicd/")}
    (page_param,) = [k for k, v in ssm_params.items() if v == "/cicd/artifacts/images/1"]
    pull = next(s for p in template["Resources"].values() if p["Type"] == "AWS::IAM::Policy"
                for s in p["Properties"]["PolicyDocument"]["Statement"] if "ecr:BatchGetImage" in s["Action"])
    assert pull["Resource"] == [{"Fn::Select": [i, {"Fn::Split": [",", {"Ref": page_param}]}]} for i in range(2)]


def test_bad_image_repository_count(stack):
    with pytest.raises(Exception, match=r"imageRepositoryCount: got -1"):
        CicdArtifactStore.from_ssm_parameters(stack, "Store", image_repository_count=-1)
