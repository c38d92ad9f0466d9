"""Tool fixtures: the agent tests' small demo world (`demo_store`, `offline_assistant`), so a
tool is tested on the same data whether it is called directly or through the offline agent."""

from tests.agent.conftest import demo_store, offline_assistant

__all__ = ["demo_store", "offline_assistant"]
