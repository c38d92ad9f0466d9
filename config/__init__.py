"""Settings for every part of CloudStro, read from the environment in one place."""

from config.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
