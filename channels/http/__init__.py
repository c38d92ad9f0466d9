"""The HTTP channel: a JSON API (and SSE streaming) over the one Assistant entry point."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from cloudstro.channels.services import Services


def install(app: FastAPI, services: Services) -> None:
    """Add the API routes and the per-process state they use (rate buckets, user cache)."""
    # Imported here: the package's small modules (logs, auth) are used app-wide without
    # pulling in the routes and the agent stack.
    from cloudstro.channels.http.auth import AuthNotConfigured
    from cloudstro.channels.http.connections import callback_router, connections_router
    from cloudstro.channels.http.deps import ApiContext, attach
    from cloudstro.channels.http.identity import KnownUsers
    from cloudstro.channels.http.limits import RateLimiter
    from cloudstro.channels.http.routes import health_router, router

    if services.auth_secret is None:
        raise AuthNotConfigured("the API needs the secret its bearer tokens are checked with")
    attach(app, ApiContext(services=services, auth_secret=services.auth_secret,
                           known_users=KnownUsers(lambda: services.store),
                           rate_limiter=RateLimiter(services.settings.rate_limit_per_minute)))
    app.include_router(router)
    app.include_router(health_router)
    app.include_router(connections_router)
    app.include_router(callback_router)


__all__ = ["install"]
