"""How a setting is declared: its default and the documentation the README table is generated from."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def setting(default: Any = None, *, meaning: str, runbook: str = "", default_text: str | None = None) -> Any:
    """A field with the documentation the README table is generated from."""
    return Field(default=default, description=meaning,
                 json_schema_extra={"runbook": runbook, "default_text": default_text if default_text is not None else _shown(default)})


def _shown(default: Any) -> str:
    if default is None or default == []:
        return "unset"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, list):
        return f"`{','.join(default)}`"
    return f"`{default}`"


class SettingsBase(BaseModel):
    """What every group of settings shares: camelCase names, nothing unknown, frozen once read."""
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=False, extra="forbid", frozen=True)

    def check(self) -> None:
        """The group's own checks, among its values only; SettingError on the first that fails. Settings runs them once every
        value of every group has its type, so a wrong type is always reported before a wrong combination."""
