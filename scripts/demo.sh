#!/usr/bin/env bash
# The main job on a fresh machine: set up, start DynamoDB Local, load demo data, chat.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/cloudstro demo "$@"
