"""The connector of each platform that has an API, with its base URL from settings.

Adding a platform is one module with a `Connector` subclass, its entry here and its facts in
`store.platforms`; the engine, the CLI and the schedule pick it up from these two registries.
"""

from __future__ import annotations

from cloudstro.config import Settings
from cloudstro.ingest.base import Connector
from cloudstro.ingest.facebook import FacebookConnector
from cloudstro.ingest.http import ResponseRules
from cloudstro.ingest.instagram import InstagramConnector
from cloudstro.ingest.meta import MetaRules
from cloudstro.ingest.tiktok import TikTokConnector, TikTokRules
from cloudstro.ingest.twitter import TwitterConnector, XRules
from cloudstro.store.platforms import API_PLATFORMS, platform_info

CONNECTORS: dict[str, tuple[type[Connector], type[ResponseRules]]] = {
    "twitter": (TwitterConnector, XRules),
    "instagram": (InstagramConnector, MetaRules),
    "facebook": (FacebookConnector, MetaRules),
    "tiktok": (TikTokConnector, TikTokRules),
}
assert set(CONNECTORS) == set(API_PLATFORMS), "every API platform needs a connector"


def connector_class(platform: str) -> tuple[type[Connector], type[ResponseRules]]:
    info = platform_info(platform)
    if info.name not in CONNECTORS:
        raise ValueError(f"{info.display_name} has no API to sync from; import its export "
                         "instead")
    return CONNECTORS[info.name]


def api_base_url(settings: Settings, platform: str) -> str:
    """The configured base URL of `platform`'s API (the setting the registry names)."""
    setting = platform_info(platform).api_url_setting
    for name, field in Settings.model_fields.items():
        if field.alias == setting:
            return str(getattr(settings, name))
    raise ValueError(f"no setting {setting!r} for {platform}")
