#!/usr/bin/env bash
# cfn-lint and checkov over every template of the reference app, in every variant
# (three accounts narrowed by account, role IDs and role ARNs; one account).
# The tools, pinned in requirements.txt, live in a virtual environment at .venv here,
# created on the first run and reused while requirements.txt is unchanged.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
requirements="$here/requirements.txt"
out="$here/cdk.out"
region="${CICD_REGION:-eu-west-1}"

if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.installed"; then
  echo "Installing the analysers into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/requirements.installed"
fi
echo "cfn-lint $("$venv/bin/cfn-lint" --version | awk '{print $2}'), checkov $("$venv/bin/checkov" --version)"

rm -rf "$out"
cd "$root"
npx ts-node --transpile-only test/analysers/synth.ts "$out" >/dev/null

"$venv/bin/python" "$here/analyse.py" "$out" "$here/checkov-skips.txt" "$region"
