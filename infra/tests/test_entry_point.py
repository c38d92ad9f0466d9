"""cdk.json's app command synthesises the stack offline, as the CDK CLI runs it."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

from cloudstro_infra.template_tables import create_requests
from tests.conftest import INFRA


def test_the_app_command_writes_the_stage_s_template_with_no_account(tmp_path: Path) -> None:
    command = shlex.split(json.loads((INFRA / "cdk.json").read_text())["app"])
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AWS_", "CDK_"))}
    # What the CLI sets: the output folder and its context (here: a stage, bundling skipped).
    env["CDK_OUTDIR"] = str(tmp_path)
    env["CDK_CONTEXT_JSON"] = json.dumps({"stage": "qa", "aws:cdk:bundling-stacks": []})
    done = subprocess.run(command, cwd=INFRA, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    template = json.loads((tmp_path / "Cloudstro-qa.template.json").read_text())
    assert sorted(create_requests(template)) == [
        "cloudstro-qa-agent-checkpoints", "cloudstro-qa-ai-insights", "cloudstro-qa-runtime",
        "cloudstro-qa-social-accounts", "cloudstro-qa-social-engagement",
        "cloudstro-qa-social-posts", "cloudstro-qa-users"]
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert [plugin["conclusion"] for plugin in report["pluginReports"]] == ["success"]
