"""A cold Slack Lambda acknowledges before it loads the agent or the web framework.

Importing the handler is the part of a cold start that no request can avoid; LangGraph,
LangChain and FastAPI cost over a second of CPU between them, inside Slack's 3-second window.
They load when an answer is computed (bolt's lazy listener, a later invocation), not before.
Each check runs in a fresh interpreter, since this test session has imported them long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("langgraph", "langchain", "langchain_core", "langchain_aws", "fastapi")


def _loaded_after(code: str) -> list[str]:
    script = code + ("\nimport json, sys\n"
                     "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, check=True)
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    return [name for name in HEAVY if name in loaded]


def test_importing_the_slack_lambda_handler_loads_neither_the_agent_nor_fastapi() -> None:
    assert _loaded_after("import cloudstro.channels.slack.lambda_handler") == []


def test_the_handlers_assistant_is_built_on_its_first_use_not_with_the_app() -> None:
    # build_slack_app reads the clock when it wires the listeners; that must not build the agent.
    code = ("from cloudstro.channels.slack.lambda_handler import AssistantOnFirstUse\n"
            "assistant = AssistantOnFirstUse(store=object(), settings=object())\n"
            "assert callable(getattr(assistant, 'clock'))")
    assert _loaded_after(code) == []
