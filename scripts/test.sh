#!/usr/bin/env bash
# Every test on a fresh machine: set up, lint, then the whole suite (unit tests on moto and
# integration tests on a DynamoDB Local that the test session starts itself), then the built wheel
# installed into a clean virtualenv answering a question from outside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "› ruff"
.venv/bin/ruff check .
echo "› pytest"
.venv/bin/python -m pytest "$@"
echo "› the wheel, installed outside the checkout"
scripts/check-wheel.sh
