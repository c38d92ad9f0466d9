"""What the rest of CloudStro knows about a tool, declared in one place beside the tool itself.

A tool is more than the function the model calls: a channel shows what the assistant is doing
while it runs ("is checking when your audience is active…"), and the offline responder needs a
way to ask for it and a way to word its result. The function and its status text live here,
in one `ToolSpec` per tool in `cloudstro.tools.TOOLS`; the offline intent and answer live in
`agent/` (tools never import the agent) keyed by the tool's name, and a test checks that every
tool in `TOOLS` has all of them, so a tool cannot be added half-way.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.tools import BaseTool

READING_YOUR_DATA = "is reading your data…"  # what a tool without a more precise status shows


@dataclass(frozen=True)
class ToolSpec:
    """One tool the agent can call, with the status a channel shows while it runs."""

    tool: BaseTool
    status: str  # completes "CloudStro …" in a Slack assistant thread's status line

    @property
    def name(self) -> str:
        return self.tool.name
