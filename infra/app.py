"""The CDK entry point named in cdk.json: synthesises CloudStro's stack from context."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cloudstro_infra.app import build_app

app, _stack = build_app()
app.synth()
