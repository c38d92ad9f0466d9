"""What an API route may ask for, as typed `Annotated` aliases: the routes declare what they need.

`install` (in this package's `__init__`) builds one `ApiContext` per app: the shared Services,
the bearer-token secret, the per-process rate buckets and known-user cache. Only this module
knows where the app keeps it; a route names `UserId`, `ServicesDep` or `ReadyAssistant` in its
signature and FastAPI resolves the rest, so a test can replace any of them through
`app.dependency_overrides`.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cloudstro.agent.service import Assistant
from cloudstro.channels.errors import ApiError, ErrorBody, store_unavailable
from cloudstro.channels.http.auth import SigningSecret, TokenError, verify_token
from cloudstro.channels.http.identity import KnownUsers
from cloudstro.channels.http.limits import RateLimiter
from cloudstro.channels.http.logs import note_user
from cloudstro.channels.services import Services

_CHALLENGE = 'Bearer realm="cloudstro"'


@dataclass(frozen=True)
class ApiContext:
    """What the API's routes share within one app."""

    services: Services
    auth_secret: SigningSecret
    known_users: KnownUsers
    rate_limiter: RateLimiter


def attach(app: FastAPI, context: ApiContext) -> None:
    """Make `context` what this app's requests resolve their dependencies from."""
    app.state.api_context = context


def api_context(request: Request) -> ApiContext:
    context = getattr(request.app.state, "api_context", None)
    if not isinstance(context, ApiContext):
        raise RuntimeError("the HTTP channel is not installed on this app")
    return context


def services_of(request: Request) -> Services:
    """The app's Services, for helpers that are handed the request rather than declared."""
    return api_context(request).services


ApiContextDep = Annotated[ApiContext, Depends(api_context)]


def _services(context: ApiContextDep) -> Services:
    return context.services


ServicesDep = Annotated[Services, Depends(_services)]


# ---------------------------------------------------------------- blocking work


async def run_blocking(function: Any, *args: Any) -> Any:
    """Run sync work on the default executor, keeping the request's log context."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(None, context.run, function, *args)


async def store_call(request: Request, function: Any, *args: Any) -> Any:
    """Blocking store work for this request, answered 503 once the request's store time is up.

    One deadline per request (CLOUDSTRO_STORE_WAIT_S from the first store call), however many
    calls it makes; the SDK's own timeouts end the abandoned worker's call soon after.
    """
    loop = asyncio.get_running_loop()
    deadline = getattr(request.state, "store_deadline", None)
    if deadline is None:
        deadline = loop.time() + services_of(request).settings.store_wait_s
        request.state.store_deadline = deadline
    try:
        return await asyncio.wait_for(run_blocking(function, *args),
                                      max(0.0, deadline - loop.time()))
    except TimeoutError as exc:
        raise store_unavailable("the data store did not answer in time; try again shortly"
                                ) from exc


# ---------------------------------------------------------------- the caller

bearer = HTTPBearer(auto_error=False, bearerFormat="cs1 token",
                    description="A token from `cloudstro token issue --user <id>`.")
DeclaredBearer = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the JSON error shape at these statuses."""
    return {status: {"model": ErrorBody} for status in statuses}


AUTH_ERRORS = error_responses(401, 429, 503)  # what `UserId` may answer instead of the route


def _unauthorized(code: str, message: str) -> ApiError:
    challenge = _CHALLENGE if code == "missing_token" else (
        f'{_CHALLENGE}, error="invalid_token", error_description="{message}"')
    return ApiError(401, code, message, headers={"WWW-Authenticate": challenge})


async def caller(request: Request, _declared: DeclaredBearer, api: ApiContextDep) -> str:
    """The user id the request acts for; 401 for any token problem, 429 over the budget."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized("missing_token", "send Authorization: Bearer <token>")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("invalid_token", "the Authorization header must be "
                                             "'Bearer <token>'")
    try:
        claims = verify_token(api.auth_secret, token.strip())
    except TokenError as exc:
        raise _unauthorized(exc.code, str(exc)) from exc
    known = api.known_users.cached(claims.sub)
    if known is None:
        known = await store_call(request, api.known_users.exists, claims.sub)
    if not known:
        raise _unauthorized("unknown_user", "the token's user does not exist")
    note_user(claims.sub)
    wait_s = api.rate_limiter.acquire(claims.sub)
    if wait_s:
        raise ApiError(429, "rate_limited",
                       f"too many requests; try again in {wait_s} seconds",
                       headers={"Retry-After": str(wait_s)})
    return claims.sub


async def ready_assistant(services: ServicesDep) -> Assistant:
    return services.built_assistant or await run_blocking(lambda: services.assistant)


UserId = Annotated[str, Depends(caller)]
ReadyAssistant = Annotated[Assistant, Depends(ready_assistant)]
