"""Packages (CodeArtifact) of the artifact store, used from Python: domain, policies, grants, importers, errors."""
import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from cdk_cross_account_cicd import (
    CicdArtifactStore,
    CrossAccountPipelineRoles,
    PackageRepositoryOptions,
    PackageUpstream,
    TargetAccount,
)

CICD = "111111111111"
NONPROD = "222222222222"


def _by_sid(statements, sid):
    return next((s for s in statements if s.get("Sid") == sid), None)


def test_domain_repository_and_upstream(stack):
    store = CicdArtifactStore(stack, "Store",
                              target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                              packages=PackageRepositoryOptions(upstreams=[PackageUpstream.PYPI]))
    template = Template.from_stack(stack)
    domain = next(iter(template.find_resources("AWS::CodeArtifact::Domain").values()))
    assert domain["Properties"]["DomainName"] == "cicd"
    assert domain["DeletionPolicy"] == "Retain"
    token = _by_sid(domain["Properties"]["PermissionsPolicyDocument"]["Statement"], "GetTokenFromTargetsAccounts")
    assert token["Action"] == "codeartifact:GetAuthorizationToken"
    upstream = template.find_resources("AWS::CodeArtifact::Repository", {"Properties": {"RepositoryName": "packages-pypi"}})
    assert [r["Properties"]["ExternalConnections"] for r in upstream.values()] == [["public:pypi"]]
    repository = template.find_resources("AWS::CodeArtifact::Repository", {"Properties": {"RepositoryName": "packages"}})
    statements = next(iter(repository.values()))["Properties"]["PermissionsPolicyDocument"]["Statement"]
    assert "codeartifact:ReadFromRepository" in _by_sid(statements, "ReadPackagesFromTargetsAccounts")["Action"]
    assert _by_sid(statements, "DenyWritesOutsideCicdAccount")["Effect"] == "Deny"
    assert store.package_domain_name == "cicd"
    assert store.package_repository_name == "packages"


def test_build_role_of_a_target_reads(app):
    store_stack = cdk.Stack(app, "Cicd", env=cdk.Environment(account=CICD, region="eu-west-1"))
    store = CicdArtifactStore(store_stack, "Store",
                              target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                              packages=PackageRepositoryOptions())
    target = cdk.Stack(app, "NonProd", env=cdk.Environment(account=NONPROD, region="eu-west-1"))
    CrossAccountPipelineRoles(target, "Roles", cicd_account_id=CICD, artifact_store=store)
    text = str(Template.from_stack(target).to_json())
    assert ":codeartifact:eu-west-1:111111111111:domain/cicd" in text
    assert ":codeartifact:eu-west-1:111111111111:repository/cicd/packages" in text
    assert "sts:GetServiceBearerToken" in text
    assert "PublishPackageVersion" not in text


def test_importer_grant_read_and_publish(stack):
    imported = CicdArtifactStore.from_cicd_account(stack, "Imported", account=CICD, region="eu-west-1",
                                                   packages=PackageRepositoryOptions(domain_name="acme"))
    reader = cdk.aws_iam.Role(stack, "Reader", assumed_by=cdk.aws_iam.AccountRootPrincipal())
    assert imported.grant_read_packages(reader).success
    text = str(Template.from_stack(stack).to_json())
    assert ":repository/acme/packages" in text
    assert ":package/acme/packages/*" in text


def test_store_without_packages_grants_nothing(stack):
    store = CicdArtifactStore(stack, "Store", target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)])
    role = cdk.aws_iam.Role(stack, "Role", assumed_by=cdk.aws_iam.AccountRootPrincipal())
    assert not store.grant_read_packages(role).success
    assert store.package_repository_arn is None


def test_bad_domain_name(stack):
    with pytest.raises(Exception, match=r'packages\.domainName: got "Acme".*\(Python: packages\.domain_name\)'):
        CicdArtifactStore(stack, "Store",
                          target_accounts=[TargetAccount(name="nonprod", account_id=NONPROD)],
                          packages=PackageRepositoryOptions(domain_name="Acme"))
