#!/usr/bin/env bash
# Java consumer suite: runs the JUnit tests in this Maven project against the library jar in
# dist/java (a file repository declared in pom.xml) and the aws-cdk-lib and constructs versions
# the library is built against (the devDependencies in package.json, i.e. the supported floor).
#
# The library's own coordinates are purged from the local Maven repository before every run,
# so the jar is always resolved again from dist/java; everything else may come from the cache.
#
# Environment:
#   MAVEN_REPO_LOCAL   local Maven repository to use (default: ~/.m2/repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "${here}/../../.." && pwd)"
cd "${root}"

# shellcheck source=../versions.sh
source "${here}/../versions.sh"

library_version="$(pkg_version version)"
cdk_version="$(pkg_version devDependencies.aws-cdk-lib)"
constructs_version="$(pkg_version devDependencies.constructs)"

group_path="io/github/cdkcrossaccountcicd"
artifact_id="cdk-cross-account-cicd"
jar="${root}/dist/java/${group_path}/${artifact_id}/${library_version}/${artifact_id}-${library_version}.jar"
if [[ ! -f "${jar}" ]]; then
  echo "error: ${jar#"${root}/"} not found (run 'npx projen package:java' first)" >&2
  exit 1
fi

m2_repo="${MAVEN_REPO_LOCAL:-${HOME}/.m2/repository}"
rm -rf "${m2_repo:?}/${group_path}" "${here}/target"

echo "java consumer suite: ${jar#"${root}/"}, aws-cdk-lib ${cdk_version}, constructs ${constructs_version}"

mvn -B -ntp -U \
  -f "${here}/pom.xml" \
  -Dmaven.repo.local="${m2_repo}" \
  -Dlibrary.version="${library_version}" \
  -Dlibrary.jar="${jar}" \
  -Dcdk.version="${cdk_version}" \
  -Dconstructs.version="${constructs_version}" \
  test
