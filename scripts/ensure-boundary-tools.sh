#!/usr/bin/env bash
# The egress tests check what `gwanmun egress-rules` prints with the tools that
# will load it: `nft -c` (Debian's nftables) and `systemd-analyze verify`
# (Debian's systemd). Install them when missing; a no-op where they exist.
set -euo pipefail
missing=()
command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages for the egress tests: ${missing[*]};" \
         "install them (sudo apt-get install ${missing[*]}) and run make test again." >&2
    exit 1
fi
echo "installing Debian packages for the egress tests: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
