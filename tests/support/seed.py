"""The authoritative schema's example records, read from the schema document itself."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# The schema as the team keeps it beside the repository, and the copy shipped in docs/.
SHARED_SEED_FILE = REPO / ".." / "shared" / "seed" / "000_4e9ebaa66f4e8680.txt"
REPO_SEED_FILE = REPO / "docs" / "schema.md"
SEED_FILE = SHARED_SEED_FILE if SHARED_SEED_FILE.exists() else REPO_SEED_FILE


def seed_examples() -> list[dict[str, Any]]:
    """The five ```json blocks that follow "**Example Record:**", in the seed's table order."""
    text = SEED_FILE.read_text(encoding="utf-8")
    blocks = re.findall(r"\*\*Example Record:\*\*\s*```json\s*(.*?)```", text, re.DOTALL)
    return [json.loads(block) for block in blocks]
