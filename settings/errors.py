"""The one error a bad setting raises, and the one line the user sees for it."""
from __future__ import annotations

from domain.setting_fault import SettingFault


# A setting's name as shown: an unknown key can be any length. And the whole line: one line, whatever the input held.
SETTING_SHOWN_MAX = 80
LINE_MAX = 1000


def printable(text: str) -> str:
    """`text` with every character that is not printable (newline, NUL, other controls) written as its escape."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


class SettingError(SettingFault):
    """One bad setting: which one, what is wrong and what to do, in one line."""

    @property
    def line(self) -> str:
        """What the user sees: `error: <setting>: <what is wrong>. <what to do>.`, on one line of printable characters."""
        end = "" if self.message.endswith((".", "?")) else "."
        setting = _cut(printable(self.setting), SETTING_SHOWN_MAX)
        return _cut(f"error: {setting}: {printable(self.message)}{end}", LINE_MAX)
