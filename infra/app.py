"""The CDK entry point named in cdk.json: synthesises CloudStro's stack from context.

cdk.json's context is the base, so `python app.py` alone synthesises what the CLI does; the
CLI's own context (cdk.json again, plus `-c key=value`) arrives through CDK_CONTEXT_JSON and
overrides it.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cloudstro_infra.app import build_app  # noqa: E402

app, _stack = build_app(json.loads((HERE / "cdk.json").read_text())["context"])
app.synth()
