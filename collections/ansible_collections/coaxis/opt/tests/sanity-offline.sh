#!/usr/bin/env bash
# Copyright: Coaxis OPT contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run `ansible-test sanity` where only PyPI is reachable.
#
# ansible-test bootstraps pip into each sanity virtualenv with a script it downloads from
# https://ci-files.testing.ansible.com/ansible-test/get-pip-<ver>.py, unless
# ~/.ansible/test/cache/get_pip_<ver with _>.py already exists (ansible_test/_util/target/setup/
# requirements.py: bootstrap()). That script is run by quiet_pip.py through runpy with the pip
# arguments (`--disable-pip-version-check pip==<ver> --no-setuptools --no-wheel`).
# This script puts there a small stand-in that runs pip from the pip <ver> wheel (downloaded
# once from PyPI, kept next to it) and installs from that wheel only. Idempotent.
#
# Usage: tests/sanity-offline.sh [extra ansible-test sanity arguments]
#   VENV=<venv>  the venv with ansible-core (default: <repo>/.venv)
#   PYTHON_VERSION=3.11
set -euo pipefail

collection_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_root=$(git -C "$collection_root" rev-parse --show-toplevel)
venv=${VENV:-$repo_root/.venv}
python_version=${PYTHON_VERSION:-3.11}
cache_dir=$HOME/.ansible/test/cache

# The pip version ansible-test pins for this Python (ansible_test._internal.python_requirements).
pip_version=$("$venv/bin/python" - "$python_version" <<'EOF'
import sys
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))['pip'])
EOF
)
wheel=$cache_dir/pip-$pip_version-py3-none-any.whl
script=$cache_dir/get_pip_${pip_version//./_}.py
mkdir -p "$cache_dir"

if [ ! -s "$wheel" ]; then
    echo "sanity-offline: downloading pip $pip_version from PyPI into $cache_dir"
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --dest "$cache_dir" "pip==$pip_version"
fi

stand_in="\"\"\"Offline stand-in for ansible-test's get-pip-$pip_version.py (written by coaxis.opt tests/sanity-offline.sh).\"\"\"
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, 'pip-$pip_version-py3-none-any.whl'))
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
from pip._internal.cli.main import main  # noqa: E402
sys.exit(main(['install', '--no-index', '--find-links', here] + args))"
if [ ! -f "$script" ] || [ "$(cat "$script")" != "$stand_in" ]; then
    printf '%s\n' "$stand_in" > "$script.tmp"
    mv "$script.tmp" "$script"
    echo "sanity-offline: wrote $script"
fi

cd "$collection_root"
export PATH=$venv/bin:$PATH
exec "$venv/bin/ansible-test" sanity --python "$python_version" "$@"
