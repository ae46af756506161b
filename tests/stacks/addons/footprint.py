"""An add-on's system-pod footprint against what its values ask: one helper for every unit's test."""
from __future__ import annotations

from domain.quantities import cpu_cores, memory_bytes

MIB = 1024 * 1024


def requested(resources: dict) -> tuple[int, int]:
    """(millicores, MiB) of a container's `resources.requests`, as Kubernetes reads the quantities."""
    requests = resources["requests"]
    return round(cpu_cores(requests["cpu"]) * 1000), memory_bytes(requests["memory"]) // MIB
