"""Mirror the installed `cloudstro` package as a tree of symlinks, for the type checker.

The repository keeps `agent/`, `store/`, ... at its top level and setuptools installs them as
`cloudstro.agent`, `cloudstro.store`, ... (`[tool.setuptools.package-dir]`). The editable install
resolves those names with an import hook, which a static checker cannot run, so mypy would find
no `cloudstro` at all. This script reads the same mapping from pyproject.toml and links each
folder under `.cloudstro/typecheck/cloudstro/`, the `mypy_path` in `[tool.mypy]`: mypy then sees
the modules under the names the code imports, and a package added to the mapping is checked
from the next run of scripts/setup.sh on, with no list to keep in step.
"""

from __future__ import annotations

import os
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ROOT / ".cloudstro" / "typecheck"
NAMESPACE = "cloudstro"


def top_level_packages(pyproject: Path) -> dict[str, str]:
    """`cloudstro.X` -> folder, for the mapped packages directly under the namespace."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    package_dir: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    return {
        name.removeprefix(f"{NAMESPACE}."): folder
        for name, folder in package_dir.items()
        if name.startswith(f"{NAMESPACE}.") and name.count(".") == 1
    }


def link_tree() -> None:
    namespace_dir = TREE / NAMESPACE
    shutil.rmtree(TREE, ignore_errors=True)
    namespace_dir.mkdir(parents=True)
    for package, folder in sorted(top_level_packages(ROOT / "pyproject.toml").items()):
        target = ROOT / folder
        # Relative links keep the tree valid when the checkout moves.
        (namespace_dir / package).symlink_to(os.path.relpath(target, namespace_dir))


if __name__ == "__main__":
    link_tree()
