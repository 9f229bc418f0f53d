#!/usr/bin/env bash
# The supported aws-cdk-lib range at its newest end: the unit tests run against the newest
# aws-cdk-lib the registry serves (or the version given), on a scratch clone of HEAD with its
# own `npm ci`, so the working tree and its node_modules are untouched. The floor (package.json's
# aws-cdk-lib devDependency, 2.257.0) is what every other build and test uses.
#
# Runs every jest suite except two that do not exercise aws-cdk-lib's API: the analysers
# (cfn-lint and checkov over the reference app's templates, with a Python toolchain of their
# own) and the release checks (package metadata, read from the compiled .jsii).
#
#   bash scripts/test-cdk-latest.sh [VERSION]     (default: the registry's "latest")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wanted="${1:-latest}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/cdk-latest.XXXXXX")"
trap 'rm -rf "${scratch}"' EXIT
repo="${scratch}/repo"
git clone --quiet "${root}" "${repo}"
cd "${repo}"

floor="$(node -p 'require("./package.json").devDependencies["aws-cdk-lib"]')"
newest="$(npm view "aws-cdk-lib@${wanted}" version | tail -n 1)"
echo "test:cdk-latest: aws-cdk-lib ${newest} (floor ${floor}) on a scratch clone of $(git rev-parse --short HEAD)"

start=$(date +%s)
npm ci --prefer-offline --no-audit --no-fund --loglevel=error
npm install --no-save --prefer-offline --no-audit --no-fund --loglevel=error "aws-cdk-lib@${newest}"
installed="$(node -p 'require("aws-cdk-lib/package.json").version')"
if [[ "${installed}" != "${newest}" ]]; then
  echo "test:cdk-latest: wanted aws-cdk-lib ${newest}, node_modules has ${installed}" >&2
  exit 1
fi
echo "test:cdk-latest: installed in $(( $(date +%s) - start ))s"

start=$(date +%s)
# A cold install pays for loading aws-cdk-lib in the first test of each file: allow 30 s a test.
npx jest --ci --coverage=false --testTimeout=30000 --testPathIgnorePatterns '/node_modules/' '/test/analysers' '/test/release' \
  && status=0 || status=$?
echo "test:cdk-latest: jest exit ${status} in $(( $(date +%s) - start ))s with aws-cdk-lib ${installed}"
exit "${status}"
