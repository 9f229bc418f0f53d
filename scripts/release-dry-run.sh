#!/usr/bin/env bash
# Release dry run: `npx projen release` on a scratch clone of the committed HEAD (tags
# included), so the working tree is never touched. It bumps the version from the commit
# history, writes the changelog, builds and packages every target, checks the packages
# (package:check), restores the version and checks that nothing tracked changed, exactly as the
# release workflow does; it publishes nothing.
#
# To keep it cheap in CI it reuses this checkout's node_modules (a symlink; nothing is written
# there) and sets RELEASE_DRY_RUN=1, which makes the `test` and `test:consumers` tasks skip
# themselves: the same commit's `npx projen build` has just run them.
#
#   bash scripts/release-dry-run.sh [--full] [--keep DIR]
#     --full       run the test suites too (what the hosted release job runs)
#     --keep DIR   copy the release's dist/ (packages, changelog.md, version.txt) to DIR
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
full=0
keep=""
while (( $# > 0 )); do
  case "$1" in
    --full) full=1; shift ;;
    --keep) keep="${2:?--keep needs a directory}"; shift 2 ;;
    *) echo "release-dry-run: unknown argument '$1' (allowed: --full, --keep DIR)" >&2; exit 2 ;;
  esac
done

if [[ ! -d "${root}/node_modules" ]]; then
  echo "release-dry-run: ${root}/node_modules is missing (run 'npm ci' first)" >&2
  exit 1
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/release-dry-run.XXXXXX")"
trap 'rm -rf "${scratch}"' EXIT
repo="${scratch}/repo"

git clone --quiet "${root}" "${repo}"
ln -s "${root}/node_modules" "${repo}/node_modules"
cd "${repo}"
echo "release-dry-run: scratch clone of $(git rev-parse --short HEAD) in ${repo}"

if (( full )); then
  unset RELEASE_DRY_RUN
else
  export RELEASE_DRY_RUN=1
fi
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

start=$(date +%s)
npx projen release
elapsed=$(( $(date +%s) - start ))

version="$(cat dist/version.txt)"
tag="$(cat dist/releasetag.txt)"
echo
echo "release-dry-run: ${tag} (version ${version}) in ${elapsed}s; nothing tracked changed"
echo "release-dry-run: packages"
(cd dist && find js python java -type f \( -name '*.tgz' -o -name '*.whl' -o -name '*.tar.gz' -o -name '*.pom' -o -name '*.jar' \) | sort | sed 's/^/  dist\//')
echo "release-dry-run: dist/changelog.md"
sed 's/^/  | /' dist/changelog.md

if [[ -n "${keep}" ]]; then
  mkdir -p "${keep}"
  cp -R dist/. "${keep}/"
  echo "release-dry-run: dist/ copied to ${keep}"
fi
