#!/usr/bin/env bash
# What runs from a checkout must run installed: build the wheel, install it into a clean
# virtualenv outside the checkout, and answer a question from demo data as a new user would
# (DynamoDB Local installed and started by the installed command, offline model, a working
# directory that is not the checkout). Fails if the answer is an error or holds no numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$PWD
PYTHON="${PYTHON:-python3}"

user_env=()
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudstro-wheel.XXXXXX")
cleanup() {
  if [ -x "$work/venv/bin/cloudstro" ]; then
    (cd "$work/elsewhere" && env "${user_env[@]}" "$work/venv/bin/cloudstro" db stop >/dev/null 2>&1) || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "› building the wheel"
# From a copy of the sources, so the build leaves no build/ or egg-info behind in the checkout.
"$checkout/.venv/bin/python" - "$checkout" "$work/src" <<'PY'
import shutil
import sys

shutil.copytree(sys.argv[1], sys.argv[2], ignore=shutil.ignore_patterns(
    ".git", ".venv", ".cloudstro", "build", "dist", "*.egg-info", "node_modules", "__pycache__",
    ".pytest_cache", ".ruff_cache"))
PY
"$checkout/.venv/bin/python" -m pip wheel -qq --no-deps -w "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/cloudstro-*.whl)

# Only the `cloudstro` package (and its metadata) may land in site-packages: bare names such
# as `config` or `channels` would collide with other distributions.
"$checkout/.venv/bin/python" - "$wheel" <<'EOF'
import sys
import zipfile

names = zipfile.ZipFile(sys.argv[1]).namelist()
top = sorted({name.split("/")[0] for name in names})
unexpected = [t for t in top if t != "cloudstro" and not t.endswith(".dist-info")]
if unexpected:
    sys.exit(f"the wheel installs top-level names other than cloudstro: {unexpected}")
for needed in ("cloudstro/prompts/system.txt", "cloudstro/store/LoopbackDynamoDBLocal.java"):
    if needed not in names:
        sys.exit(f"the wheel lacks {needed}")
print(f"  wheel holds {len(names)} files under {top}")
EOF

echo "› installing it into a clean virtualenv"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -qq --disable-pip-version-check "$wheel"

mkdir -p "$work/elsewhere" "$work/home"
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A new user's environment: no AWS credentials, no data folder override, a home of its own.
user_env=(-u CLOUDSTRO_DATA_DIR -u DYNAMODB_ENDPOINT_URL -u AWS_ACCESS_KEY_ID
          -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE -u XDG_DATA_HOME
          HOME="$work/home" CLOUDSTRO_LLM=offline DYNAMODB_LOCAL_PORT="$port")
run() { (cd "$work/elsewhere" && env "${user_env[@]}" "$work/venv/bin/cloudstro" "$@"); }

echo "› running the installed command from $work/elsewhere"
run db install >/dev/null
run db start --in-memory
run db create-tables >/dev/null
run db seed-demo --users 1 --days 14 --seed 3 >/dev/null
run ask --user demo_user_000 --json "how did my posts do this week?" >"$work/answer.json"

"$checkout/.venv/bin/python" - "$work/answer.json" "$work/home" <<'EOF'
import json
import pathlib
import sys

answer = json.loads(pathlib.Path(sys.argv[1]).read_text())
tools = [call["name"] for call in answer["toolCalls"]]
reply = answer["reply"]
if "get_performance_summary" not in tools:
    sys.exit(f"the installed agent called {tools}, not the performance summary: {reply!r}")
if "interactions" not in reply or not any(ch.isdigit() for ch in reply):
    sys.exit(f"the installed agent gave no numbers from data: {reply!r}")
data_dir = pathlib.Path(sys.argv[2]) / ".local" / "share" / "cloudstro"
if not data_dir.is_dir():
    sys.exit(f"the installed command kept its data somewhere other than {data_dir}")
print("  installed answer:", reply.splitlines()[-1][:160])
EOF
echo "› the installed wheel answers from data"
