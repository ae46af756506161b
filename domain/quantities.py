"""Kubernetes resource quantities (`2`, `1500m`, `12Gi`, `10G`) and the runner's cache size (`10Gib`), as numbers."""
from __future__ import annotations

import re

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_DECIMAL = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
GIB = 2**30


class QuantityError(ValueError):
    """Not a quantity; the message says what form is expected."""


def cpu_cores(text: str) -> float:
    """`2` -> 2.0, `1500m` -> 1.5, `0.5` -> 0.5."""
    match = re.fullmatch(r"([0-9]{1,9}(?:\.[0-9]{1,9})?)(m?)", text.strip())
    if not match or float(match.group(1)) == 0:
        raise QuantityError(f"{text!r} is not a CPU quantity. Write cores like 2 or millicores like 1500m")
    value = float(match.group(1))
    return value / 1000 if match.group(2) else value


def memory_bytes(text: str) -> int:
    """`12Gi` -> 12 * 2**30, `500M` -> 5 * 10**8 (Kubernetes suffixes)."""
    match = re.fullmatch(r"([0-9]{1,15}(?:\.[0-9]{1,9})?)(Ki|Mi|Gi|Ti|k|M|G|T|)", text.strip())
    if not match or float(match.group(1)) == 0:
        raise QuantityError(f"{text!r} is not a memory quantity. Write it like 12Gi or 12288Mi")
    unit = match.group(2)
    return int(float(match.group(1)) * (_BINARY.get(unit) or _DECIMAL[unit]))


def runner_cache_bytes(text: str) -> int:
    """The runner's CACHE_SIZE (humanized, e.g. `10Gib`, `512Mib`, `10GB`) as bytes."""
    match = re.fullmatch(r"([0-9]{1,15}(?:\.[0-9]{1,9})?)\s*(Kib|Mib|Gib|Tib|KB|MB|GB|TB|kB)", text.strip())
    if not match:
        raise QuantityError(f"{text!r} is not a cache size. Write it like 10Gib")
    factor = {"Kib": 2**10, "Mib": 2**20, "Gib": 2**30, "Tib": 2**40, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
    return int(float(match.group(1)) * factor[match.group(2)])


def gib(value_bytes: float) -> str:
    """Bytes as GiB with one decimal, for messages: `13.4Gi`."""
    return f"{value_bytes / GIB:.1f}Gi"
