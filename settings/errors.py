"""The one error a bad setting raises, and the one line the user sees for it."""
from __future__ import annotations

from domain.setting_fault import SettingFault


class SettingError(SettingFault):
    """One bad setting: which one, what is wrong and what to do, in one line."""

    @property
    def line(self) -> str:
        """What the user sees: `error: <setting>: <what is wrong>. <what to do>.`"""
        end = "" if self.message.endswith((".", "?")) else "."
        return f"error: {self.setting}: {self.message}{end}"
