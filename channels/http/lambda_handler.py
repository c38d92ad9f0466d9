"""AWS Lambda entry point: the same ASGI app behind API Gateway, through Mangum.

Deploy with handler `cloudstro.channels.http.lambda_handler.handler` behind an API Gateway HTTP API
(payload format 2.0, a `$default` route or `ANY /{proxy+}`). Configure with environment
variables: CLOUDSTRO_AUTH_SECRET (required: Lambda is never the local demo), the
DYNAMODB_*_TABLE names, AWS_REGION, BEDROCK_REGION, BEDROCK_MODEL_ID and CLOUDSTRO_LLM=bedrock.
The function's role needs DynamoDB read/write on the tables (GetItem, PutItem, UpdateItem,
DeleteItem, Query, BatchWriteItem, BatchGetItem, DescribeTable) and
bedrock:InvokeModel / bedrock:InvokeModelWithResponseStream (the Converse APIs) on the model.

The app is built on the first invocation, not at import, so a broken configuration shows
up as a logged error on a request instead of an init failure loop. API Gateway buffers
responses, so /v1/chat/stream arrives as one body of events there; stream from a server
(`cloudstro serve` behind a load balancer) when progressive output matters. Rate-limit
buckets live per Lambda container.
"""

from __future__ import annotations

import threading
from typing import Any

_handler: Any = None
_lock = threading.Lock()


def _build() -> Any:
    from mangum import Mangum

    from cloudstro.channels.app import create_app
    from cloudstro.channels.http.logs import configure_logging

    configure_logging("info")
    return Mangum(create_app(), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _handler
    with _lock:
        if _handler is None:
            _handler = _build()
    response: dict[str, Any] = _handler(event, context)
    return response
