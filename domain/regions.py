"""AWS partitions and their regions, from the data botocore ships (offline): no hand-written region list.

botocore's `partitions.json` lists every partition (`aws`, `aws-cn`, `aws-us-gov`, ...) with its regions;
the `*-global` entries there are endpoints, not regions one can deploy to.
"""
from __future__ import annotations

from functools import lru_cache

from domain import botocore_data


@lru_cache(maxsize=1)
def _regions_by_partition() -> dict[str, frozenset[str]]:
    data = botocore_data.partitions()
    return {partition["id"]: frozenset(name for name in partition["regions"] if not name.endswith("-global"))
            for partition in data["partitions"]}


def partitions() -> tuple[str, ...]:
    """Partition ids, as they appear in ARNs: `aws`, `aws-cn`, `aws-us-gov`, ..."""
    return tuple(_regions_by_partition())


def partition_of(region: str) -> str | None:
    """The partition a region belongs to, or None when no partition has it."""
    return next((partition for partition, regions in _regions_by_partition().items() if region in regions), None)


def is_region(name: str) -> bool:
    return partition_of(name) is not None
