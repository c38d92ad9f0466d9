"""The platform registry: every fact about a platform that more than one module needs, once.

Names, display names ("Twitter/X", "RedNote"), the metrics each platform actually reports, the
hosts its permalinks live on and the setting that holds its API base URL used to be spelled in
analytics, the offline responder, digests and connectors separately, and drifted ("Rednote" vs
"RedNote"). This module is pure data: no I/O and no boto3, so any layer may import it.

A metric missing from `metrics` is one the platform does not report; code that shows numbers
treats it as unknown rather than zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# The platform names the record models accept; the registry below must cover exactly these.
PlatformName = Literal["twitter", "instagram", "facebook", "tiktok", "rednote"]

Metric = Literal["views", "impressions", "reach", "likes", "comments", "shares", "saves"]
METRICS: tuple[Metric, ...] = ("views", "impressions", "reach", "likes", "comments", "shares",
                               "saves")


@dataclass(frozen=True)
class PlatformInfo:
    """One platform as CloudStro knows it."""

    name: str
    display_name: str
    metrics: frozenset[Metric]
    permalink_hosts: tuple[str, ...]
    # Name of the setting (environment variable) holding the API base URL; None when the
    # platform offers no API for a creator's own numbers and data arrives as an export.
    api_url_setting: str | None
    aliases: tuple[str, ...] = ()
    # Words that name the platform in a question ("tweets", "reels"), matched against the
    # message lower-cased with spaces around it, so " x " is the word x and not any x.
    question_words: tuple[str, ...] = ()

    @property
    def has_api(self) -> bool:
        return self.api_url_setting is not None

    def reports(self, metric: str) -> bool:
        return metric in self.metrics


TWITTER = PlatformInfo(
    name="twitter", display_name="Twitter/X",
    metrics=frozenset({"views", "impressions", "likes", "comments", "shares", "saves"}),
    permalink_hosts=("x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"),
    api_url_setting="TWITTER_API_URL", aliases=("x",),
    question_words=("twitter", "tweet", "tweets", " x ", "x.com"),
)
INSTAGRAM = PlatformInfo(
    name="instagram", display_name="Instagram",
    metrics=frozenset({"views", "reach", "likes", "comments", "shares", "saves"}),
    permalink_hosts=("instagram.com", "www.instagram.com"),
    api_url_setting="INSTAGRAM_API_URL", aliases=("ig",),
    question_words=("instagram", "insta", " ig ", "reels"),
)
FACEBOOK = PlatformInfo(
    name="facebook", display_name="Facebook",
    metrics=frozenset({"reach", "likes", "comments", "shares"}),
    permalink_hosts=("facebook.com", "www.facebook.com", "m.facebook.com", "fb.com"),
    api_url_setting="FACEBOOK_API_URL", aliases=("fb",),
    question_words=("facebook", " fb "),
)
TIKTOK = PlatformInfo(
    name="tiktok", display_name="TikTok",
    metrics=frozenset({"views", "likes", "comments", "shares"}),
    permalink_hosts=("tiktok.com", "www.tiktok.com", "vm.tiktok.com"),
    api_url_setting="TIKTOK_API_URL",
    question_words=("tiktok", "tik tok"),
)
REDNOTE = PlatformInfo(
    name="rednote", display_name="RedNote",
    metrics=frozenset({"views", "impressions", "likes", "comments", "shares", "saves"}),
    permalink_hosts=("xiaohongshu.com", "www.xiaohongshu.com", "xhslink.com"),
    api_url_setting=None, aliases=("xiaohongshu", "xhs"),
    question_words=("rednote", "red note", "xiaohongshu", "little red book"),
)

REGISTRY: dict[str, PlatformInfo] = {
    info.name: info for info in (TWITTER, INSTAGRAM, FACEBOOK, TIKTOK, REDNOTE)
}
PLATFORM_NAMES: tuple[str, ...] = tuple(REGISTRY)
if get_args(PlatformName) != PLATFORM_NAMES:
    raise RuntimeError("PlatformName and the registry list different platforms")
API_PLATFORMS: tuple[str, ...] = tuple(name for name, info in REGISTRY.items() if info.has_api)
_BY_ALIAS: dict[str, PlatformInfo] = {
    key: info for info in REGISTRY.values() for key in (info.name, *info.aliases)
}


def platform_info(name: str) -> PlatformInfo:
    """The platform called `name` or an alias, any case; a ValueError names the choices."""
    info = _BY_ALIAS.get(name.strip().lower())
    if info is None:
        raise ValueError(f"unknown platform {name!r}; known: {', '.join(PLATFORM_NAMES)}")
    return info


def display_name(name: str) -> str:
    """How a platform is written for people ("RedNote", "Twitter/X")."""
    return platform_info(name).display_name


def shown_name(name: str) -> str:
    """`display_name`, or `name` itself when it is no platform (a value from older data)."""
    try:
        return display_name(name)
    except ValueError:
        return name


def platform_of_permalink(host: str) -> PlatformInfo | None:
    """The platform a permalink host belongs to, or None."""
    host = host.lower().removeprefix("www.")
    for info in REGISTRY.values():
        if any(host == known.removeprefix("www.") for known in info.permalink_hosts):
            return info
    return None
