#!/usr/bin/env bash
# Shared by tools/serve and tools/test: create (once) and refresh the
# project's virtualenv in .venv, with the package installed in develop mode.
# Re-running is cheap: pip only installs what changed. "serve" installs
# the server extra, "test" every extra (server and Horizon dashboard).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${MISTRAL_RESUME_VENV:-$top/.venv}
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
stamp="$venv/.installed-$1"
reqs=("$top/requirements.txt")
extras=server
if [ "$1" = test ]; then
    reqs+=("$top/test-requirements.txt")
    extras=server,dashboard
fi
if [ ! -f "$stamp" ] || [ -n "$(find "${reqs[@]}" "$top/setup.cfg" -newer "$stamp" 2>/dev/null)" ]; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    args=()
    for r in "${reqs[@]}"; do args+=(-r "$r"); done
    "$venv/bin/python" -m pip install --quiet "${args[@]}" -e "$top[$extras]"
    touch "$stamp"
fi
