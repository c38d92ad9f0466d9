#!/usr/bin/env bash
# Every test on a fresh machine: set up, lint, then the whole suite (unit tests on moto and
# integration tests on a DynamoDB Local that the test session starts itself), the AWS deployment's
# offline tests (scripts/test-infra.sh, in the CDK's own virtualenv), then the built wheel
# installed into a clean virtualenv answering a question from outside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "› ruff"
.venv/bin/ruff check .
echo "› mypy"
.venv/bin/mypy
.venv/bin/mypy --check-untyped-defs tests benchmarks  # their helpers keep to the product's types
echo "› pytest"
.venv/bin/python -m pytest "$@"
echo "› the AWS deployment (CDK synthesis and template tests, offline)"
scripts/test-infra.sh
echo "› the wheel, installed outside the checkout"
scripts/check-wheel.sh
