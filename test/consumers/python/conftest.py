"""Shared fixtures for the Python consumer suite.

Each construct gets its own ``test_<construct>.py`` module; they all build on the ``app``
and ``stack`` fixtures below, so every test starts from a fresh App and an environment-bound
Stack (cross-account constructs need concrete account and region values).
"""

import aws_cdk as cdk
import pytest

ACCOUNT = "111111111111"
REGION = "eu-west-1"


@pytest.fixture
def app() -> cdk.App:
    return cdk.App()


@pytest.fixture
def environment() -> cdk.Environment:
    return cdk.Environment(account=ACCOUNT, region=REGION)


@pytest.fixture
def stack(app: cdk.App, environment: cdk.Environment) -> cdk.Stack:
    return cdk.Stack(app, "Test", env=environment)
