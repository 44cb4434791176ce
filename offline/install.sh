#!/bin/sh
# Install ledger-audit without internet: a virtual environment beside this script, packages from ./wheels.
set -eu
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --no-index --find-links wheels ledger-audit
echo "已安装。运行：$(pwd)/.venv/bin/audit --help"
