"""Fixed clocks and ids that tests in several folders agree on.

Every test that reads the demo data, or data laid out like it, runs at NOW, a Tuesday noon UTC
inside the demo's window; the demo's posts end at UNTIL. Nothing here reads the real clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # a Tuesday
UNTIL = datetime(2026, 11, 25, tzinfo=UTC)  # the demo data's last day ends here
DEMO_USER = "demo_user_000"
DEMO_OTHER = "demo_user_001"
