"""The README's settings table, generated from the model so the two cannot drift."""
from __future__ import annotations

from typing import Any, cast

from pydantic.alias_generators import to_camel

from settings.model import GROUPS


def settings_table() -> str:
    rows = ["| setting | default | meaning | runbook equivalent |", "|---|---|---|---|"]
    for name, field in (item for group in GROUPS.values() for item in group.model_fields.items()):
        extra = cast(dict[str, Any], field.json_schema_extra or {})  # setting() gives every field a dict
        rows.append(f"| `{to_camel(name)}` | {extra['default_text']} | {field.description} | {extra['runbook']} |")
    return "\n".join(rows)
