"""The one line the settings gate refuses a context with, for the tests that hold each message word for word."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pytest

from settings import SettingError, load_settings


def error_line(context: Mapping, environ: Mapping[str, str] | None = None, *, home: Path | None = None) -> str:
    """`error: <setting>: ...`, as the user sees it; the test fails if the settings are accepted."""
    env = {**(environ or {}), **({"HOME": str(home)} if home else {})}
    with pytest.raises(SettingError) as raised:
        load_settings(dict(context), env)
    return raised.value.line
