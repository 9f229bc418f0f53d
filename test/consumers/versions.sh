#!/usr/bin/env bash
# Sourced by the consumer suites' run.sh: versions read from the repository's package.json.

# Reads a version from package.json; ranges such as ^1.2.3 are reduced to their floor.
pkg_version() {
  node -e '
    const pkg = require(process.argv[1]);
    const path = process.argv[2].split(".");
    let v = pkg;
    for (const p of path) v = v == null ? undefined : v[p];
    if (typeof v !== "string") { console.error(`package.json has no ${process.argv[2]}`); process.exit(1); }
    v = v.replace(/^[\^~=]/, "");
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v)) { console.error(`${process.argv[2]} is not an exact version: ${v}`); process.exit(1); }
    console.log(v);
  ' "${root:?}/package.json" "$1"
}
