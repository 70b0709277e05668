#!/usr/bin/env bash
# The PostgreSQL tests run a real server (devtools/postgres.py). Install Debian's
# server package when its binaries are missing; a no-op where they exist.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL server binaries are missing; install Debian's postgresql package" \
         "(sudo apt-get install postgresql) and run make test again." >&2
    exit 1
fi
echo "installing Debian's postgresql package for the tests" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
