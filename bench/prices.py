"""The prices `make cost`, `make day` and the comparisons use, and the shape of a monthly bill.

On-demand, Linux, us-west-2, from the AWS Price List as of PRICES_AS_OF: a guide for choosing settings, not a quote.
"""
from __future__ import annotations

from dataclasses import dataclass, field

HOURS_PER_MONTH = 730  # AWS's own convention for a monthly estimate (8,760 h / 12)

PRICE_REGION = "us-west-2"
# When the prices were taken: the AWS Price List's on-demand Linux rates as generated on 2026-01-19
# (published us-east-1 table; us-west-2 lists the same rate for every type below).
PRICES_AS_OF = "January 2026"

EKS_CONTROL_PLANE_USD_PER_HOUR = 0.10  # standard support; a version in extended support costs $0.60
NAT_GATEWAY_USD_PER_HOUR = 0.045
NAT_GATEWAY_USD_PER_GB = 0.045  # data processed; usage-based, so only named in a note
PUBLIC_IPV4_USD_PER_HOUR = 0.005  # every public IPv4 address since February 2024: each NAT gateway holds one
GP3_USD_PER_GIB_MONTH = 0.08
# Kubernetes secrets, cluster logs, Lambda logs (stacks/eks_cluster.py, stacks/log_encryption.py); sqsCredentials=managed adds one.
KMS_KEYS = 3
KMS_KEY_USD_PER_MONTH = 1.00  # per customer managed key: Kubernetes secrets, the two log keys, the managed SQS secret's

# Disk of each system node; the same figure as SYSTEM_VOLUME_GIB in stacks/capacity/nodegroups.py (a test keeps them equal).
SYSTEM_NODE_VOLUME_GIB = 30

# USD per hour, on-demand, Linux, us-west-2, as of PRICES_AS_OF. GPU types: every size in
# instance_types.GPU_INSTANCE_TYPES except UNPRICED_GPU_TYPES. The P4d/P4de/P5/P5en rates are the
# ones after AWS's mid-2025 price cut.
ON_DEMAND_USD_PER_HOUR: dict[str, float] = {
    # --- GPU nodes ---
    "g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g4dn.4xlarge": 1.204, "g4dn.8xlarge": 2.176,
    "g4dn.12xlarge": 3.912, "g4dn.16xlarge": 4.352, "g4dn.metal": 7.824,
    "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448,
    "g5.12xlarge": 5.672, "g5.16xlarge": 4.096, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
    "g6.xlarge": 0.8048, "g6.2xlarge": 0.9776, "g6.4xlarge": 1.3232, "g6.8xlarge": 2.0144,
    "g6.12xlarge": 4.6016, "g6.16xlarge": 3.3968, "g6.24xlarge": 6.6752, "g6.48xlarge": 13.3504,
    "g6e.xlarge": 1.861, "g6e.2xlarge": 2.24208, "g6e.4xlarge": 3.00424, "g6e.8xlarge": 4.52856,
    "g6e.12xlarge": 10.49264, "g6e.16xlarge": 7.57719, "g6e.24xlarge": 15.06559, "g6e.48xlarge": 30.13118,
    "gr6.4xlarge": 1.5392, "gr6.8xlarge": 2.4464,
    "g5g.xlarge": 0.42, "g5g.2xlarge": 0.556, "g5g.4xlarge": 0.828, "g5g.8xlarge": 1.372,
    "g5g.16xlarge": 2.744, "g5g.metal": 2.744,
    "p3.2xlarge": 3.06, "p3.8xlarge": 12.24, "p3.16xlarge": 24.48,
    "p3dn.24xlarge": 31.212,
    "p4d.24xlarge": 21.957642,
    "p4de.24xlarge": 27.44705,
    "p5.4xlarge": 6.88, "p5.48xlarge": 55.04,
    "p5en.48xlarge": 63.296,
    # --- system nodes ---
    "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832, "t3.xlarge": 0.1664, "t3.2xlarge": 0.3328,
    "t3a.nano": 0.0047, "t3a.micro": 0.0094, "t3a.small": 0.0188, "t3a.medium": 0.0376,
    "t3a.large": 0.0752, "t3a.xlarge": 0.1504, "t3a.2xlarge": 0.3008,
    "t4g.small": 0.0168, "t4g.medium": 0.0336, "t4g.large": 0.0672, "t4g.xlarge": 0.1344,
    "m5.large": 0.096, "m6i.large": 0.096, "m7i.large": 0.1008,
    "m6g.large": 0.077, "m7g.large": 0.0816,
    "c6i.large": 0.085,
}

# GPU types the project knows but the table cannot price: no on-demand list price was published
# for p5e.48xlarge in the price list used (it is sold through EC2 Capacity Blocks).
UNPRICED_GPU_TYPES = ("p5e.48xlarge",)


class MissingPrice(LookupError):
    """An instance type the settings name but the price table lacks."""

    def __init__(self, setting: str, instance_type: str) -> None:
        super().__init__(f"{setting}: {instance_type}")
        self.setting = setting
        self.instance_type = instance_type

    @property
    def line(self) -> str:
        return (f"error: {self.setting}: {self.instance_type} has no {PRICE_REGION} on-demand price in the cost table. "
                f"Add it to ON_DEMAND_USD_PER_HOUR in bench/prices.py")


@dataclass(frozen=True)
class CostLine:
    """One billed item: how many of it and what that costs a month, idle and at full scale."""
    key: str  # stable name for tests and tools: control_plane, system_nodes, nat_gateways, ...
    item: str
    idle_quantity: int
    full_quantity: int
    idle: float  # USD per month, rounded to cents
    full: float
    unit: str = "x"  # "x" for a count ("2 x"), else the unit of the quantity ("160 GiB")


@dataclass(frozen=True)
class CostReport:
    price_region: str
    prices_as_of: str
    lines: tuple[CostLine, ...]
    notes: tuple[str, ...]
    idle_total: float = field(init=False)
    full_total: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "idle_total", round(sum(line.idle for line in self.lines), 2))
        object.__setattr__(self, "full_total", round(sum(line.full for line in self.lines), 2))

    def line(self, key: str) -> CostLine:
        return next(line for line in self.lines if line.key == key)


def hourly_price(instance_type: str, setting: str) -> float:
    try:
        return ON_DEMAND_USD_PER_HOUR[instance_type]
    except KeyError:
        raise MissingPrice(setting, instance_type) from None


def monthly(usd_per_hour: float, quantity: int) -> float:
    return round(usd_per_hour * quantity * HOURS_PER_MONTH, 2)
