"""Reading settings: CDK context first, then the environment variables named in ENV_FALLBACKS, then defaults.

Context values given with `-c` arrive as strings; the types coerce them. Any key that is a setting up to
case and separators (`NodeType`, `node_type`, `node-type`) is refused with the setting it meant, so a
misspelt setting is never silently replaced by its default.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any, Mapping

from pydantic import ValidationError

from settings.errors import SettingError
from settings.model import GROUP_OF, GROUPS, Settings

SETTING_NAMES: tuple[str, ...] = tuple(GROUP_OF)

# Settings fall back to these environment variables, in order, before their default.
# The CDK CLI always sets CDK_DEFAULT_REGION (the profile's region, else us-east-1) and, with credentials, CDK_DEFAULT_ACCOUNT.
ENV_FALLBACKS: dict[str, tuple[str, ...]] = {
    "clusterName": ("AWS_CLUSTER_NAME",),
    "region": ("AWS_DEFAULT_REGION", "CDK_DEFAULT_REGION"),
    "account": ("CDK_DEFAULT_ACCOUNT",),
}
CONTEXT = "context"


def _folded(key: str) -> str:
    """A key as a setting it could be meant for: compatibility forms folded (full-width letters, NFKC), separators, whitespace
    and control characters dropped, case ignored."""
    return re.sub(r"[\s_.\-\x00-\x1f\x7f]", "", unicodedata.normalize("NFKC", key)).lower()


_BY_FOLDED = {_folded(name): name for name in SETTING_NAMES}


def is_cdk_key(key: str) -> bool:
    """CDK's own context keys (feature flags, lookups, `aws:cdk:...`) carry ':' or '/' or '@'."""
    return any(mark in key for mark in ":/@")


def unknown_setting(key: str) -> SettingError | None:
    """The error for a context key that looks like a setting but is not one; None for settings and CDK's own keys."""
    if key in SETTING_NAMES or is_cdk_key(key):
        return None
    meant = _BY_FOLDED.get(_folded(key))
    if meant is not None:
        return SettingError(key, f"unknown setting; did you mean {meant}? Settings are spelt in camelCase")
    close = difflib.get_close_matches(_folded(key), list(_BY_FOLDED), n=1, cutoff=0.8)
    if close:
        return SettingError(key, f"unknown setting; did you mean {_BY_FOLDED[close[0]]}?")
    if re.fullmatch(r"[a-z][A-Za-z0-9]*", key):  # camelCase like ours, yet not ours
        return SettingError(key, "unknown setting; see the settings table in README.md")
    return None  # another tool's key (`cli-telemetry`, ...), far from any setting


def load_settings(context: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """Settings from CDK context, then environment fallbacks, then defaults; SettingError on the first bad value."""
    for key in context:
        error = unknown_setting(str(key))
        if error is not None:
            raise error
    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in SETTING_NAMES:
        if context.get(name) is not None:
            raw[name], sources[name] = context[name], CONTEXT
            continue
        for variable in ENV_FALLBACKS.get(name, ()):
            if environ.get(variable):
                raw[name], sources[name] = environ[variable], f"${variable}"
                break
    try:
        return Settings.model_validate(raw, context={"home": environ.get("HOME"), "sources": sources})
    except ValidationError as err:
        raise _with_source(_first_error(err), sources) from None
    except SettingError as err:
        raise _with_source(err, sources) from None


def _first_error(err: ValidationError) -> SettingError:
    first = err.errors(include_url=False)[0]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, SettingError):
        return cause
    loc = first["loc"][1:] if first["loc"] and first["loc"][0] in GROUPS else first["loc"]  # (group, setting, ...)
    setting = str(loc[0]) if loc else "settings"
    message = str(cause) if cause is not None else first["msg"]
    return SettingError(setting, message)


def _with_source(error: SettingError, sources: Mapping[str, str]) -> SettingError:
    """A bad value from the environment says which variable gave it: the user never typed it as a setting."""
    source = sources.get(error.setting, CONTEXT)
    return error if source == CONTEXT else SettingError(error.setting, f"from {source}: {error.message}")
