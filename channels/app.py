"""The one ASGI app every channel is served from (uvicorn locally, Mangum on Lambda).

`create_app` builds the shared parts once: the settings, a lazily built Store and Assistant
(`channels/services.py`), a pool of worker threads for the sync agent, the request middleware
and the JSON error shape. Each channel then adds its routes through its package's
`install(app, services)`, listed in `CHANNEL_INSTALLERS`, so a new channel is one more entry
there, not a second app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cloudstro.agent.service import Assistant
from cloudstro.channels.errors import install_error_handlers
from cloudstro.channels.http import install as install_http
from cloudstro.channels.http.auth import AuthNotConfigured, SigningSecret, resolve_secret
from cloudstro.channels.http.middleware import RequestContextMiddleware
from cloudstro.channels.services import ChannelInstaller, Services
from cloudstro.config import Settings, get_settings
from cloudstro.store import Store

API_VERSION = "1.0.0"


log = logging.getLogger("cloudstro.app")


def _install_slack(app: FastAPI, services: Services) -> None:
    """Slack events at POST /slack/events, when SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are
    set; only then is the Slack package imported and the store and agent built, so a Slack-less
    server stays lazy."""
    settings = services.settings
    if settings.slack_signing_secret is None or settings.slack_bot_token is None:
        log.info("Slack is off: SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are needed "
                 "(see docs/slack.md)")
        return
    from cloudstro.channels.slack import install

    install(app, services)


# Every channel served by the app, each a package's `install(app, services)`; a new channel is
# one more entry.
CHANNEL_INSTALLERS: list[ChannelInstaller] = [install_http, _install_slack]


def install_channels(app: FastAPI, services: Services,
                     installers: list[ChannelInstaller] | None = None) -> None:
    for install in CHANNEL_INSTALLERS if installers is None else installers:
        install(app, services)


def create_app(settings: Settings | None = None, store: Store | None = None,
               assistant: Assistant | None = None, *, auth_secret: SigningSecret | None = None,
               installers: list[ChannelInstaller] | None = None) -> FastAPI:
    """Build the app. Without `auth_secret`, CLOUDSTRO_AUTH_SECRET must be set.

    (`cloudstro serve` passes the secret it resolved: it alone knows the bind address, which
    decides whether the local-demo key file may be used.)
    """
    settings = settings or (store.settings if store else get_settings())
    if auth_secret is None:
        if settings.auth_secret is None:
            raise AuthNotConfigured(
                "CLOUDSTRO_AUTH_SECRET is not set; the API needs it to check bearer tokens "
                "(`cloudstro serve` on 127.0.0.1 with local DynamoDB runs without it as a demo)")
        auth_secret = resolve_secret(settings, store_is_local=False)
    services = Services(settings, store, assistant, auth_secret=auth_secret)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        services.close()

    app = FastAPI(title="CloudStro API", version=API_VERSION, lifespan=lifespan,
                  description="Answers about your social-media accounts, from your own data. "
                              "Authenticate with `Authorization: Bearer <token>` "
                              "(`cloudstro token issue --user <id>`).")
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.http_max_body_bytes,
                       body_timeout_s=settings.http_body_timeout_s)
    install_channels(app, services, installers)
    return app
