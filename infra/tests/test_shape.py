"""The template's tables serve the product: created in moto from the template, used by the
store and the batch handlers in the product's own environment (see shape_check.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cloudstro_infra.source import REPO_ROOT, stage_settings, table_specs
from tests.conftest import INFRA


def product_python() -> Path:
    path = Path(os.environ.get("CLOUDSTRO_APP_PYTHON", REPO_ROOT / ".venv" / "bin" / "python"))
    if not path.exists():
        pytest.fail(f"the product's virtualenv is needed for the shape test: {path} "
                    "(scripts/setup.sh creates it; CLOUDSTRO_APP_PYTHON names another)")
    return path


@pytest.fixture(scope="module")
def shape(template_json: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, Any]:
    template_file = tmp_path_factory.mktemp("shape") / "template.json"
    template_file.write_text(json.dumps(template_json))
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AWS_", "DYNAMODB_", "CLOUDSTRO_", "SLACK_", "JSII_"))}
    done = subprocess.run([str(product_python()), str(INFRA / "tests" / "shape_check.py"),
                           str(template_file)], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=240)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
    assert done.returncode == 0, "the shape check failed in the product's environment"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_store_works_on_the_tables_the_template_declares(shape: dict[str, Any]) -> None:
    assert shape["tables"] == sorted(spec.name for spec in table_specs(stage_settings("dev")))
    repositories = shape["repositories"]
    assert repositories["usersTable"] == "cloudstro-dev-users"  # from the worker's environment
    assert repositories["userByEmail"] == "shape-user"  # users' email-index
    assert repositories["activeTwitterAccounts"] == ["111"]  # platform-accountStatus-index
    assert repositories["postsThisWeek"] == 4  # posts' createdAtISO local index
    assert repositories["snapshotsOfFirstPost"] == 3
    assert repositories["claimed"] is True


def test_each_schedule_input_from_the_template_drives_the_batch_handlers(
        shape: dict[str, Any]) -> None:
    schedules = shape["schedules"]
    for job in ("sync", "insights", "digest"):
        assert schedules[job]["input"] == {"job": job, "scheduledAt": "2026-11-24T12:00:00Z"}
    assert [(unit["job"], unit["userId"], unit["platform"], unit["accountId"])
            for unit in schedules["sync"]["units"]] == [("sync", "shape-user", "twitter", "111")]
    assert [unit["userId"] for unit in schedules["digest"]["units"]] == ["shape-user"]
    assert schedules["insights"]["enqueued"] == 1
    assert schedules["insights"]["worked"] == {"batchItemFailures": []}
    assert schedules["insightsStored"] > 0
