"""How the channels are wired into the one app: no import circle, one installer shape, and
routes that reach the shared services only through the typed dependencies in `deps`."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import cloudstro.channels
from cloudstro.channels import http, slack

CHANNELS = Path(cloudstro.channels.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


# Entry points build the app (inside a function, on the first request); the app never
# imports them, so they close no circle.
ENTRY_POINTS = {"app.py", "http/lambda_handler.py", "http/web_adapter.py"}


def test_no_channel_module_imports_the_app_that_installs_it() -> None:
    importers = [relative for path in CHANNELS.rglob("*.py")
                 if (relative := path.relative_to(CHANNELS).as_posix()) not in ENTRY_POINTS
                 if "cloudstro.channels.app" in _imported_modules(path)]
    assert importers == []


def test_the_shared_services_module_imports_no_channel() -> None:
    imported = _imported_modules(CHANNELS / "services.py")
    assert not {name for name in imported if name.startswith("cloudstro.channels.")} - {
        "cloudstro.channels.http.auth"}  # a type only, under TYPE_CHECKING


def test_every_channel_installs_with_the_same_signature() -> None:
    shapes = {package.__name__: list(inspect.signature(package.install).parameters)
              for package in (http, slack)}
    assert shapes == {"cloudstro.channels.http": ["app", "services"],
                      "cloudstro.channels.slack": ["app", "services"]}


def test_only_the_dependencies_module_knows_where_the_app_keeps_its_context() -> None:
    readers = [path.name for path in (CHANNELS / "http").glob("*.py")
               if "app.state" in path.read_text(encoding="utf-8")]
    assert readers == ["deps.py"]
