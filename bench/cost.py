"""`make cost`: what a configuration costs a month, idle (no work queued) and at full scale.

Reads the same settings as the app (`-c key=value`, then the environment fallbacks, then the
defaults) and prices them with the on-demand list prices below, one line per billed item:

    python bench/cost.py -c nodesMin=0 -c nodes=0

Prices are on-demand, Linux, us-west-2, from the AWS Price List as of PRICES_AS_OF. They are a
guide for choosing settings, not a quote: usage-based charges (data processed, logs) are listed
as not included, and Savings Plans, Reserved Instances or spot change the instance lines.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

# Run as `python bench/cost.py`, the project's top-level modules are one directory up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import context_args  # noqa: E402
from bench.observability_cost import observability_lines, observability_notes  # noqa: E402
from domain.image_pull import FAST_PULL_THROUGHPUT_MIBPS, GP3_BASELINE_THROUGHPUT_MIBPS, GP3_USD_PER_MIBPS_MONTH  # noqa: E402
from settings import SettingError, Settings, load_settings  # noqa: E402

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
                f"Add it to ON_DEMAND_USD_PER_HOUR in bench/cost.py")


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


def _monthly(usd_per_hour: float, quantity: int) -> float:
    return round(usd_per_hour * quantity * HOURS_PER_MONTH, 2)


def monthly_costs(settings: Settings) -> CostReport:
    """The configuration's monthly bill, idle and at full scale; MissingPrice for a type the table lacks."""
    prices = {name: hourly_price(name, "nodeType") for name in settings.node_type}
    gpu_type = min(prices, key=prices.__getitem__)  # the nodegroup may launch any listed type: estimate the cheapest
    # Only an autoscaler moves the GPU count off `nodes`; with it, idle drains to nodesMin and a full queue fills nodesMax.
    idle_gpus, full_gpus = ((settings.nodes_min, settings.nodes_max) if settings.autoscaling_enabled
                            else (settings.nodes, settings.nodes))
    system_gib = settings.system_nodes * SYSTEM_NODE_VOLUME_GIB
    idle_gib = idle_gpus * settings.node_volume_size + system_gib
    full_gib = full_gpus * settings.node_volume_size + system_gib

    managed_key = settings.sqs_credentials == "managed"
    kms_keys = KMS_KEYS + managed_key
    lines = [CostLine("control_plane", "EKS control plane, standard support", 1, 1,
                      _monthly(EKS_CONTROL_PLANE_USD_PER_HOUR, 1), _monthly(EKS_CONTROL_PLANE_USD_PER_HOUR, 1))]
    if settings.system_nodes and not settings.automode:
        system_price = hourly_price(settings.system_node_type, "systemNodeType")
        system = _monthly(system_price, settings.system_nodes)
        lines.append(CostLine("system_nodes", f"system nodes, {settings.system_node_type}",
                              settings.system_nodes, settings.system_nodes, system, system))
    nat = _monthly(NAT_GATEWAY_USD_PER_HOUR, settings.nat_gateways)
    nat_ipv4 = _monthly(PUBLIC_IPV4_USD_PER_HOUR, settings.nat_gateways)
    lines += [
        CostLine("nat_gateways", "NAT gateways, hourly (see notes)", settings.nat_gateways, settings.nat_gateways, nat, nat),
        CostLine("nat_public_ipv4", "public IPv4 address of each NAT gateway", settings.nat_gateways, settings.nat_gateways,
                 nat_ipv4, nat_ipv4),
        CostLine("gpu_nodes", f"GPU nodes, {gpu_type}", idle_gpus, full_gpus,
                 _monthly(prices[gpu_type], idle_gpus), _monthly(prices[gpu_type], full_gpus)),
        CostLine("volumes", f"gp3 disks: {settings.node_volume_size} GiB per GPU node"
                 + (f", {SYSTEM_NODE_VOLUME_GIB} GiB per system node" if settings.system_nodes else ""),
                 idle_gib, full_gib, round(idle_gib * GP3_USD_PER_GIB_MONTH, 2), round(full_gib * GP3_USD_PER_GIB_MONTH, 2), "GiB"),
    ]
    if settings.fast_image_pull:  # the throughput above gp3's free baseline, on every GPU node's disk
        extra = FAST_PULL_THROUGHPUT_MIBPS - GP3_BASELINE_THROUGHPUT_MIBPS
        lines.append(CostLine("volume_throughput", f"gp3 throughput for fastImagePull: {extra} MiB/s per GPU node",
                              idle_gpus, full_gpus, round(idle_gpus * extra * GP3_USD_PER_MIBPS_MONTH, 2),
                              round(full_gpus * extra * GP3_USD_PER_MIBPS_MONTH, 2)))
    lines += [
        CostLine("kms_key", f"KMS keys: Kubernetes secrets, logs (2){', SQS secret' if managed_key else ''}", kms_keys, kms_keys,
                 kms_keys * KMS_KEY_USD_PER_MONTH, kms_keys * KMS_KEY_USD_PER_MONTH),
    ]
    lines += observability_lines(settings, CostLine, KMS_KEY_USD_PER_MONTH)
    report = CostReport(PRICE_REGION, PRICES_AS_OF, tuple(lines), _notes(settings, prices, gpu_type))
    if settings.automode:
        from bench.automode_cost import as_automode  # its own module: Auto Mode's nodes, disks and fee replace the node lines
        return as_automode(settings, report)
    return report


def _notes(settings: Settings, prices: Mapping[str, float], gpu_type: str) -> tuple[str, ...]:
    notes = [f"NAT gateways also bill ${NAT_GATEWAY_USD_PER_GB:.3f} per GB of data processed (image pulls, data sets, "
             "queue traffic); not included."]
    if len(prices) > 1:
        dearest = max(prices, key=prices.__getitem__)
        notes.append(f"nodeType lists {', '.join(settings.node_type)}: GPU nodes are priced at the cheapest, {gpu_type} "
                     f"(${prices[gpu_type]:g}/h); the nodegroup may launch the others, up to {dearest} (${prices[dearest]:g}/h).")
    if settings.capacity_type == "SPOT":
        notes.append("capacityType is SPOT, priced here at on-demand rates: spot is typically far cheaper, "
                     "but its price varies by zone and over time, and AWS can reclaim the nodes.")
    if not settings.autoscaling_enabled and settings.nodes_max != settings.nodes:
        notes.append(f"Autoscaling is off: nothing changes the GPU node count, so full scale is still nodes={settings.nodes}, "
                     f"not nodesMax={settings.nodes_max}.")
    if settings.region != PRICE_REGION:
        notes.append(f"region is {settings.region}, priced here at {PRICE_REGION} rates; {settings.region}'s differ.")
    notes += observability_notes(settings)
    notes.append("Not included: CloudWatch Logs (control-plane and VPC flow logs, per GB), data transfer out, "
                 "Secrets Manager, SQS and ECR usage, and EKS extended support once a version leaves standard support.")
    return tuple(notes)


def render(report: CostReport, cluster_name: str) -> str:
    """The report as text: a header, one row per line with idle and full-scale columns, totals, notes."""
    def quantity(value: int, unit: str) -> str:
        return f"{value} x" if unit == "x" else f"{value} {unit}"

    def money(value: float) -> str:
        return f"${value:,.2f}"

    width = max(len(line.item) for line in report.lines) + 2
    rows = [f"Monthly cost of {cluster_name} ({HOURS_PER_MONTH} h): on-demand Linux list prices for "
            f"{report.price_region} as of {report.prices_as_of}, in USD",
            "",
            f"{'':<{width}}{'idle':>20}{'full scale':>22}"]
    for line in report.lines:
        rows.append(f"{line.item:<{width}}{quantity(line.idle_quantity, line.unit):>9}{money(line.idle):>11}"
                    f"  {quantity(line.full_quantity, line.unit):>9}{money(line.full):>11}")
    rows.append(f"{'total':<{width}}{money(report.idle_total):>20}  {money(report.full_total):>20}")
    rows.append("")
    rows += [f"* {note}" for note in report.notes]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = context_args.parser(__doc__.splitlines()[0], prog="bench/cost.py")
    parser.add_argument("--compare", action="store_true",
                        help="the default, scale to zero, spot GPUs and Auto Mode side by side (bench/cost_comparison.py)")
    try:
        args, context = context_args.parse(parser, argv)
    except context_args.BadArguments as err:
        print(err.line, file=sys.stderr)
        return 2
    try:
        if args.compare:
            return _compare(context, environ)
        settings = load_settings(context, environ)
        report = monthly_costs(settings)
    except (SettingError, MissingPrice) as err:
        print(err.line, file=sys.stderr)
        return 2
    print(render(report, settings.cluster_name))
    return 0


def _compare(context: Mapping[str, str], environ: Mapping[str, str]) -> int:
    from bench.cost_comparison import compare, render_comparison
    print(render_comparison(compare(context, environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
