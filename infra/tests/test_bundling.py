"""Packaging without Docker: the pip runs for Lambda's platform, and a bundle Lambda accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudstro_infra.bundling import WEB_ADAPTER_SCRIPT, pip_commands, trim_bundle


def test_the_product_is_installed_for_linux_arm64_and_python_3_11(tmp_path: Path) -> None:
    build, install = pip_commands(tmp_path / "src", tmp_path / "wheels", tmp_path / "out",
                                  host_python=(3, 11))
    assert build[3:5] == ["wheel", "--no-deps"] and build[-1] == str(tmp_path / "src")
    text = " ".join(install)
    for flag in ("--platform manylinux2014_aarch64", "--python-version 3.11",
                 "--implementation cp", "--only-binary=:all:", f"--target {tmp_path / 'out'}"):
        assert flag in text
    assert install[-1] == "cloudstro" and "--no-compile" not in install
    # Bytecode of another Python would never be used on the 3.11 runtime.
    assert "--no-compile" in pip_commands(tmp_path, tmp_path, tmp_path, host_python=(3, 12))[1]
    assert "cloudstro.channels.http.web_adapter" in WEB_ADAPTER_SCRIPT


def test_trimming_drops_test_suites_and_scripts_but_not_the_product(tmp_path: Path) -> None:
    for path in ("numpy/_core/tests/test_x.py", "numpy/__init__.py", "bin/uvicorn",
                 "cloudstro/tests/keep.py", "cloudstro/__init__.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(b"x" * 1000)
    size = trim_bundle(tmp_path)
    assert not (tmp_path / "numpy" / "_core" / "tests").exists()
    assert not (tmp_path / "bin").exists()
    assert (tmp_path / "numpy" / "__init__.py").exists()
    assert (tmp_path / "cloudstro" / "tests" / "keep.py").exists()
    assert size == pytest.approx(3000 / 1e6)


def test_a_bundle_lambda_would_refuse_fails_synthesis_with_its_size(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * 2_000_000)
    with pytest.raises(RuntimeError, match="unzips to 2 MB"):
        trim_bundle(tmp_path, max_mb=1)
