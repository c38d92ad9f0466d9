"""One synthesis per context for the whole session: synthesis is the slow part (seconds).

Every stack is built by `build_app`, the function `app.py` runs for `cdk synth`/`deploy`,
with the context from cdk.json, bundling skipped (`aws:cdk:bundling-stacks` empty: the tests
check the template, not the wheel) and a fixed account and region so ARNs are concrete.
`app.synth()` runs strict validation and cdk-nag, so a fixture that builds is a stack that
passed them.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

INFRA = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(INFRA))

import aws_cdk as cdk  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from cloudstro_infra.app import build_app  # noqa: E402
from cloudstro_infra.stack import CloudstroStack  # noqa: E402

ACCOUNT = "123456789012"
REGION = "us-east-1"


def cdk_json_context() -> dict[str, Any]:
    return dict(json.loads((INFRA / "cdk.json").read_text())["context"])


@cache
def _synth(overrides: tuple[tuple[str, Any], ...]) -> tuple[CloudstroStack, dict[str, Any]]:
    context = {**cdk_json_context(), "aws:cdk:bundling-stacks": [], **dict(overrides)}
    app, stack = build_app(context, env=cdk.Environment(account=ACCOUNT, region=REGION))
    app.synth()  # validation and cdk-nag: raises on an unacknowledged finding
    return stack, Template.from_stack(stack).to_json()


def synth(**overrides: Any) -> tuple[CloudstroStack, dict[str, Any]]:
    """The stack and its template for cdk.json's context with `overrides`; cached."""
    return _synth(tuple(sorted(overrides.items())))


@pytest.fixture(scope="session")
def stack() -> CloudstroStack:
    return synth()[0]


@pytest.fixture(scope="session")
def template_json() -> dict[str, Any]:
    return synth()[1]


@pytest.fixture(scope="session")
def template(template_json: dict[str, Any]) -> Template:
    return Template.from_json(template_json)


def resources(template_json: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in template_json["Resources"].items()
            if resource["Type"] == kind}


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)
