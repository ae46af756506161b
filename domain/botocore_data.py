"""The data files botocore ships (AWS partitions, API models), read from its package directory: offline, and
without importing botocore, whose import (urllib3 and more) costs every synth for two JSON files.

Only botocore's own copy is read, not `~/.aws/models`, so a synth does not depend on the machine it runs on.
"""
from __future__ import annotations

import gzip
import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any


def _data_dir() -> Path:
    spec = find_spec("botocore")  # locates the package without running it
    assert spec is not None and spec.submodule_search_locations, "botocore is in requirements.txt"
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def partitions() -> dict[str, Any]:
    """botocore's `partitions.json`: every partition with its regions."""
    data: dict[str, Any] = json.loads((_data_dir() / "partitions.json").read_text())
    return data


def service_model(service: str) -> dict[str, Any]:
    """The newest API version of a service's model, as botocore's Loader picks it (API versions are ISO dates)."""
    version = max((_data_dir() / service).iterdir(), key=lambda path: path.name)
    plain, packed = version / "service-2.json", version / "service-2.json.gz"
    model: dict[str, Any] = json.loads(plain.read_text() if plain.exists() else gzip.decompress(packed.read_bytes()))
    return model
