"""The HTTP API on AWS Lambda through the Lambda Web Adapter, so `/v1/chat/stream` streams.

Lambda's Python runtime has no streaming handler API, and an adapter such as Mangum hands
back one buffered body. The Lambda Web Adapter layer runs this module as an ordinary server
inside the function (`run.sh` in the bundle execs it) and forwards each Function URL request
to it, streaming the response as the server writes it (`AWS_LWA_INVOKE_MODE=response_stream`).

The server is the one `cloudstro serve` runs, with the same limits, on the port the stack
gives the adapter (`AWS_LWA_PORT`, 8080), bound to loopback: only the adapter talks to it.
Credentials come from the deployment's secret before anything reads the settings; the API
never runs without CLOUDSTRO_AUTH_SECRET here, because DynamoDB is not the local engine.
"""

from __future__ import annotations

from typing import Any

PORT = 8080
HOST = "127.0.0.1"


def build_server(port: int = PORT) -> Any:
    """The configured uvicorn server for the API, not yet started (the cold-start work)."""
    import uvicorn

    from cloudstro.channels.app import create_app
    from cloudstro.channels.http.auth import resolve_secret
    from cloudstro.channels.http.logs import configure_logging
    from cloudstro.channels.http.server import server_config
    from cloudstro.config import get_settings
    from cloudstro.config.secrets import load_secret_into_environment
    from cloudstro.store import Store

    configure_logging("info")
    load_secret_into_environment()
    settings = get_settings()
    store = Store(settings=settings)
    secret = resolve_secret(settings, store_is_local=store.dynamo.is_local, host=HOST)
    app = create_app(settings, store, auth_secret=secret)
    return uvicorn.Server(server_config(app, settings, host=HOST, port=port))


def main() -> None:
    build_server().run()


if __name__ == "__main__":
    main()
