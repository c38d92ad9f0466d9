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
# Lambda refuses a function whose code and layers unzip to more than 250 MB; the Web Adapter
# layer takes a few of those, so the bundle must stay under this.
MAX_BUNDLE_MB = 240

# The HTTP function's entry under the Lambda Web Adapter: a shell script the adapter's
# wrapper runs, which starts the ASGI server the adapter forwards requests to.
WEB_ADAPTER_SCRIPT = "#!/bin/sh\nexec python -m cloudstro.channels.http.web_adapter\n"


def pip_commands(source: Path, wheel_dir: Path, output: Path,
                 host_python: tuple[int, int] = sys.version_info[:2]) -> list[list[str]]:
    """The two pip runs: build the product's wheel, then install it for the Lambda platform.

    Bytecode is kept when this Python is the runtime's (it saves every cold start the
    compiling), and left out otherwise: another version's .pyc files would be dead weight.
    """
    pip = [sys.executable, "-m", "pip"]
    same_python = ".".join(map(str, host_python)) == LAMBDA_PYTHON
    return [
        [*pip, "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheel_dir), str(source)],
        [*pip, "install", "--quiet", "--target", str(output), "--platform", LAMBDA_PLATFORM,
         "--implementation", "cp", "--python-version", LAMBDA_PYTHON, "--only-binary=:all:",
         "--upgrade", *([] if same_python else ["--no-compile"]),
         "--find-links", str(wheel_dir), "cloudstro"],
    ]


def trim_bundle(output: Path, max_mb: float = MAX_BUNDLE_MB) -> float:
    """Drop what never runs, then refuse a bundle Lambda would refuse; returns its size in MB.

    A dependency that grows past the limit fails here, at synthesis, with the size, instead
    of half-way through a CloudFormation deployment.
    """
    shutil.rmtree(output / "bin", ignore_errors=True)  # console scripts: never run
    for package in output.iterdir():  # dependencies' own test suites: never imported
        if package.is_dir() and package.name != "cloudstro":
            for suite in [path for path in package.rglob("tests") if path.is_dir()]:
                shutil.rmtree(suite, ignore_errors=True)
    size_mb = sum(f.stat().st_size for f in output.rglob("*") if f.is_file()) / 1e6
    if size_mb > max_mb:
        raise RuntimeError(f"the Lambda bundle unzips to {size_mb:.0f} MB; Lambda allows "
                           f"250 MB with layers, so it must stay under {max_mb} MB")
    return size_mb


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
        trim_bundle(output)
        script = output / "run.sh"
        script.write_text(WEB_ADAPTER_SCRIPT)
        script.chmod(0o755)
        return True
