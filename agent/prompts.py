"""Prompt text lives in prompts/ as plain files, so wording changes never touch code.

They are read through importlib.resources, so an installed wheel, a Lambda bundle and a
checkout all find them the same way.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

PROMPTS_PACKAGE = "cloudstro.prompts"


@lru_cache
def load_prompt(name: str) -> str:
    resource = resources.files(PROMPTS_PACKAGE).joinpath(f"{name}.txt")
    if not resource.is_file():
        raise FileNotFoundError(f"prompt {name!r} is not in the {PROMPTS_PACKAGE} package")
    return resource.read_text(encoding="utf-8").strip()
