"""A fact in domain/ that rules out a setting's value: which setting, and what is wrong and what to do.

settings.SettingError is this plus the one line the user sees; domain/ cannot import settings (settings imports it).
"""
from __future__ import annotations


class SettingFault(ValueError):
    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message
