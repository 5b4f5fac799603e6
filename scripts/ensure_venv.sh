#!/usr/bin/env bash
# Create the virtualenv in $1 with $2 (python3 by default). On a fresh Debian
# machine the venv module may be missing: install it when we are root.
set -euo pipefail
venv=${1:-.venv}
python=${2:-python3}
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing python3-venv from Debian packages..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$python" -m venv "$venv"
  else
    echo "Cannot create a virtualenv: install python3-venv (Debian) and try again." >&2
    exit 1
  fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
