#!/usr/bin/env bash
# The project's development-time Python: a venv over Debian's interpreter and its python3-torch
# (/usr/bin/python3; the `python3` first on PATH is another one), plus the pinned packages of
# requirements.txt, installed without their dependencies. Idempotent. Prints the venv's python.
#   apt-get install python3-torch python3-torchvision python3-numpy python3-opencv python3-sklearn \
#     python3-matplotlib python3-tqdm python3-scipy python3-pil python3-venv
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${GRADCAM_EDGE_VENV:-.venv}
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r scripts/python/requirements.txt
# Schemathesis has many small pure-Python dependencies and none on torch: a complete pinned set, with deps.
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r scripts/python/requirements-schemathesis.txt
echo "$PWD/$venv/bin/python"
