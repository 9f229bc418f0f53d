#!/usr/bin/env bash
# Python consumer suite: installs the wheel from dist/python into a fresh virtual environment,
# together with the aws-cdk-lib and constructs versions the library is built against (the
# devDependencies in package.json, i.e. the supported floor), and runs pytest on this directory.
#
# Environment:
#   PYTHON   interpreter used to create the virtual environment (default: python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../.." && pwd)"
cd "${root}"

python="${PYTHON:-python3}"
venv="${here}/.venv"

# shellcheck source=../versions.sh
source "${here}/../versions.sh"

library_version="$(pkg_version version)"
cdk_version="$(pkg_version devDependencies.aws-cdk-lib)"
constructs_version="$(pkg_version devDependencies.constructs)"

shopt -s nullglob
wheels=(dist/python/cdk_cross_account_cicd-*.whl)
shopt -u nullglob
if (( ${#wheels[@]} == 0 )); then
  echo "error: no wheel in dist/python (run 'npx projen package:python' first)" >&2
  exit 1
fi
if (( ${#wheels[@]} > 1 )); then
  echo "error: more than one wheel in dist/python, cannot tell which to test: ${wheels[*]}" >&2
  exit 1
fi
wheel="${wheels[0]}"

echo "python consumer suite: ${wheel}, aws-cdk-lib==${cdk_version}, constructs==${constructs_version}"

# --no-compile: the environment is thrown away after one run, and importing aws_cdk compiles
# what it needs anyway; byte-compiling all of aws-cdk-lib at install time costs more.
rm -rf "${venv}"
"${python}" -m venv "${venv}"
"${venv}/bin/python" -m pip install --quiet --no-input --disable-pip-version-check --no-compile \
  "${wheel}" \
  "aws-cdk-lib==${cdk_version}" \
  "constructs==${constructs_version}" \
  pytest

export EXPECTED_LIBRARY_VERSION="${library_version}"
export EXPECTED_CDK_VERSION="${cdk_version}"
export EXPECTED_CONSTRUCTS_VERSION="${constructs_version}"
export PYTHONDONTWRITEBYTECODE=1

exec "${venv}/bin/python" -m pytest -v test/consumers/python
