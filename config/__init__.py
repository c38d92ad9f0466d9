"""Settings for every part of CloudStro, read from the environment in one place, and the clock."""

from cloudstro.config.clock import Clock, fixed_clock, utc_now
from cloudstro.config.settings import Settings, get_settings

__all__ = ["Clock", "Settings", "fixed_clock", "get_settings", "utc_now"]
