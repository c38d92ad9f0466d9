"""Packaging the product for Lambda without Docker: the installed wheel, for Linux on arm64.

A Lambda bundle is the installed package: `pip wheel` builds CloudStro from the checkout,
and `pip install --platform manylinux2014_aarch64 --only-binary=:all:` installs it with its
dependencies for the Lambda runtime, whatever machine runs the synthesis. The CDK calls
`try_bundle` first and only falls back to its Docker image when it returns False, so a
machine without Docker deploys, and tests skip bundling altogether
(`aws:cdk:bundling-stacks` is empty) so they never build anything.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import aws_cdk as cdk
import jsii

from cloudstro_infra.source import REPO_ROOT

LAMBDA_PLATFORM = "manylinux2014_aarch64"
LAMBDA_PYTHON = "3.11"

# The HTTP function's entry under the Lambda Web Adapter: a shell script the adapter's
# wrapper runs, which starts the ASGI server the adapter forwards requests to.
WEB_ADAPTER_SCRIPT = "#!/bin/sh\nexec python -m cloudstro.channels.http.web_adapter\n"


def pip_commands(source: Path, wheel_dir: Path, output: Path) -> list[list[str]]:
    """The two pip runs: build the product's wheel, then install it for the Lambda platform."""
    pip = [sys.executable, "-m", "pip"]
    return [
        [*pip, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheel_dir), str(source)],
        [*pip, "install", "--quiet", "--target", str(output), "--platform", LAMBDA_PLATFORM,
         "--implementation", "cp", "--python-version", LAMBDA_PYTHON, "--only-binary=:all:",
         "--upgrade", "--find-links", str(wheel_dir), "cloudstro"],
    ]


@jsii.implements(cdk.ILocalBundling)
class LocalPipBundler:
    """Builds the bundle on this machine with pip; never needs Docker."""

    def __init__(self, source: Path = REPO_ROOT) -> None:
        self.source = source

    def try_bundle(self, output_dir: str, *, image: cdk.DockerImage, **_: object) -> bool:
        output = Path(output_dir)
        with tempfile.TemporaryDirectory(prefix="cloudstro-wheel-") as scratch:
            build_copy = Path(scratch) / "src"
            # Build from a copy without virtualenvs and caches: faster, and nothing local leaks.
            shutil.copytree(self.source, build_copy, ignore=shutil.ignore_patterns(
                ".git", ".venv", ".cloudstro", "build", "dist", "*.egg-info", "node_modules",
                "__pycache__", ".pytest_cache", ".ruff_cache", "cdk.out", "infra", "tests"))
            for command in pip_commands(build_copy, Path(scratch) / "wheels", output):
                subprocess.run(command, check=True)
        script = output / "run.sh"
        script.write_text(WEB_ADAPTER_SCRIPT)
        script.chmod(0o755)
        return True
