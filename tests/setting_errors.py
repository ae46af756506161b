"""The one line the settings gate refuses a context with, for the tests that hold each message word for word; and the flat values
of accepted settings, by the names users write."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pytest

from settings import SettingError, Settings, load_settings
from settings.model import GROUPS


def error_line(context: Mapping, environ: Mapping[str, str] | None = None, *, home: Path | None = None) -> str:
    """`error: <setting>: ...`, as the user sees it; the test fails if the settings are accepted."""
    env = {**(environ or {}), **({"HOME": str(home)} if home else {})}
    with pytest.raises(SettingError) as raised:
        load_settings(dict(context), env)
    return raised.value.line


def setting_values(settings: Settings) -> dict[str, Any]:
    """Every setting's value, keyed by its camelCase name, whichever group holds it."""
    groups = settings.model_dump(by_alias=True, include=set(GROUPS))
    return {name: value for group in groups.values() for name, value in group.items()}
