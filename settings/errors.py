"""The one error a bad setting raises, and the one line the user sees for it."""
from __future__ import annotations


class SettingError(ValueError):
    """One bad setting: which one, what is wrong and what to do, in one line."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message

    @property
    def line(self) -> str:
        """What the user sees: `error: <setting>: <what is wrong>. <what to do>.`"""
        end = "" if self.message.endswith((".", "?")) else "."
        return f"error: {self.setting}: {self.message}{end}"
