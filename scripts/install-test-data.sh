#!/usr/bin/env bash
# Install the data GitHub publishes as npm packages that the forge conformance tests read:
# @octokit/openapi (GitHub's REST API description), @octokit/openapi-webhooks (webhook schemas) and
# @octokit/webhooks-examples (real example payloads), pinned in tests/data/npm/package-lock.json.
#
# Installed into .test-data/ (ignored by git), once per lock file: a matching stamp means nothing
# to do. Needs npm and the npm registry. Usage: bash scripts/install-test-data.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target="$root/.test-data"
lock="$root/tests/data/npm/package-lock.json"
stamp="$target/.lock-sha256"
wanted=$(sha256sum "$lock" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -d "$target/node_modules/@octokit" ]; then
    echo "install-test-data: up to date"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-test-data: npm is missing; the forge conformance tests will skip" >&2
    exit 0
fi

echo "install-test-data: installing the pinned @octokit data into .test-data/"
rm -rf "$target"
mkdir -p "$target"
cp "$root/tests/data/npm/package.json" "$lock" "$target/"
npm ci --prefix "$target" --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
echo "$wanted" >"$stamp"
echo "install-test-data: done"
