"""Each platform's OAuth app as CloudStro uses it: where users approve, which scopes, PKCE or not.

The facts differ in small ways that matter: X separates scopes with spaces and TikTok and Meta
with commas; TikTok calls the client id `client_key`; X's client secret is optional (a public
client sends only its id). X takes PKCE (S256); Meta's login dialogs and TikTok's Login Kit for
Web (a server with a client secret) do not. TikTok's PKCE belongs to its desktop and mobile
kits, with a hex challenge rather than RFC 7636's base64url, so sending one from a web server
invites "code verifier or code challenge is invalid". The table below holds those differences
once, and `oauth_app` joins them with the settings, so starting a connection and exchanging
its code read the same client id and redirect URI.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import SecretStr

from cloudstro.config import Settings
from cloudstro.ingest.oauth.errors import NotConfigured, UnknownPlatform
from cloudstro.store.platforms import API_PLATFORMS, display_name, platform_info


@dataclass(frozen=True)
class OAuthFacts:
    """What never changes between deployments; field names point at `Settings` attributes."""

    authorize_url_field: str
    client_id_field: str
    client_secret_field: str
    scopes: tuple[str, ...]
    scope_separator: str
    pkce: bool
    secret_required: bool = True
    client_id_param: str = "client_id"


FACTS: dict[str, OAuthFacts] = {
    # Reading posts and their public metrics; offline.access is what yields a refresh token.
    "twitter": OAuthFacts("twitter_authorize_url", "twitter_client_id", "twitter_client_secret",
                          ("tweet.read", "users.read", "offline.access"), " ", pkce=True,
                          secret_required=False),
    # Instagram API with Instagram Login: the profile, media and media insights.
    "instagram": OAuthFacts("instagram_authorize_url", "instagram_client_id",
                            "instagram_client_secret",
                            ("instagram_business_basic", "instagram_business_manage_insights"),
                            ",", pkce=False),
    # The Pages a person manages, their posts and post insights.
    "facebook": OAuthFacts("facebook_authorize_url", "facebook_app_id", "facebook_app_secret",
                           ("pages_show_list", "pages_read_engagement", "read_insights"), ",",
                           pkce=False),
    # The profile and the public video list with its counts.
    "tiktok": OAuthFacts("tiktok_authorize_url", "tiktok_client_id", "tiktok_client_secret",
                         ("user.info.basic", "video.list"), ",", pkce=False,
                         client_id_param="client_key"),
}
assert set(FACTS) == set(API_PLATFORMS), "every API platform needs its OAuth facts"


@dataclass(frozen=True)
class OAuthApp:
    """One platform's OAuth client on this server."""

    platform: str
    authorize_url: str
    client_id: str
    client_secret: SecretStr | None
    redirect_uri: str
    facts: OAuthFacts

    @property
    def scope(self) -> str:
        return self.facts.scope_separator.join(self.facts.scopes)

    def secret(self) -> str:
        """The client secret's text, for a token request; NotConfigured when it is not set."""
        if self.client_secret is None:
            raise NotConfigured(self.platform, setting_name(self.facts.client_secret_field))
        return self.client_secret.get_secret_value()

    def authorize_url_for(self, state: str, verifier: str | None) -> str:
        """The platform's page where the person approves CloudStro, carrying `state` (and the
        PKCE challenge of `verifier` where the platform takes one)."""
        query = {"response_type": "code", self.facts.client_id_param: self.client_id,
                 "redirect_uri": self.redirect_uri, "scope": self.scope, "state": state}
        if verifier is not None:
            query |= {"code_challenge": code_challenge(verifier),
                      "code_challenge_method": "S256"}
        separator = "&" if "?" in self.authorize_url else "?"
        return f"{self.authorize_url}{separator}{urlencode(query)}"


def code_challenge(verifier: str) -> str:
    """PKCE S256: base64url(SHA-256(verifier)) without padding (RFC 7636)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def connectable_platform(name: str) -> str:
    """The canonical name of a platform users can connect (aliases such as `x` accepted)."""
    try:
        info = platform_info(name)
    except ValueError:
        raise UnknownPlatform(f"There is no platform called {name[:40]!r}; CloudStro connects "
                              f"{', '.join(display_name(p) for p in API_PLATFORMS)}.") from None
    if info.name not in FACTS:
        raise UnknownPlatform(f"{info.display_name} has no API to connect to; import its "
                              "export instead.")
    return info.name


def redirect_uri(settings: Settings, platform: str) -> str:
    """The callback address to register with the platform's app."""
    return f"{settings.public_url.rstrip('/')}/oauth/{platform}/callback"


def oauth_app(settings: Settings, platform: str) -> OAuthApp:
    """The configured app of `platform`; UnknownPlatform or NotConfigured say what is missing."""
    name = connectable_platform(platform)
    facts = FACTS[name]
    client_id = getattr(settings, facts.client_id_field)
    if not client_id:
        raise NotConfigured(name, setting_name(facts.client_id_field))
    secret = getattr(settings, facts.client_secret_field)
    if facts.secret_required and secret is None:
        raise NotConfigured(name, setting_name(facts.client_secret_field))
    return OAuthApp(name, getattr(settings, facts.authorize_url_field), client_id, secret,
                    redirect_uri(settings, name), facts)


def setting_name(field: str) -> str:
    """The environment variable of a `Settings` field (`twitter_client_id` -> TWITTER_CLIENT_ID)."""
    return Settings.model_fields[field].alias or field.upper()
