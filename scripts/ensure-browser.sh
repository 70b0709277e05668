#!/usr/bin/env bash
# The web workspace tests drive Debian's chromium with Playwright (never a
# browser build Playwright would download). Install it, and CJK fonts so
# screenshots of Korean and Japanese pages are legible, when missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages for the browser tests: ${missing[*]};" \
         "install them (sudo apt-get install ${missing[*]}) and run make test again." >&2
    exit 1
fi
echo "installing Debian packages for the browser tests: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
