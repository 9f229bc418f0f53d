"""The installed distribution is the one built from this repository and loads through jsii."""

import importlib
import importlib.metadata
import os
import pathlib
import sys

import pytest
from packaging.version import Version


def _expected(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (run the suite through run.sh)")
    return value


def test_module_imports_from_the_virtual_environment():
    module = importlib.import_module("cdk_cross_account_cicd")
    locations = [pathlib.Path(p).resolve() for p in module.__path__]
    prefix = pathlib.Path(sys.prefix).resolve()
    assert locations, "cdk_cross_account_cicd has no package path"
    assert all(prefix in loc.parents for loc in locations), locations


def test_jsii_assembly_loads():
    jsii_module = importlib.import_module("cdk_cross_account_cicd._jsii")
    assembly = jsii_module.__jsii_assembly__
    assert assembly.name == "cdk-cross-account-cicd"
    assert Version(assembly.version) == Version(_expected("EXPECTED_LIBRARY_VERSION"))


def test_distribution_version_matches_package_json():
    installed = importlib.metadata.version("cdk-cross-account-cicd")
    assert Version(installed) == Version(_expected("EXPECTED_LIBRARY_VERSION"))


@pytest.mark.parametrize(
    "distribution, variable",
    [("aws-cdk-lib", "EXPECTED_CDK_VERSION"), ("constructs", "EXPECTED_CONSTRUCTS_VERSION")],
)
def test_runs_against_the_supported_floor(distribution, variable):
    assert importlib.metadata.version(distribution) == _expected(variable)
