"""What capacity=automode costs a month: what is not a node as with nodegroups, EC2 for the nodes Auto Mode starts, and its fee.

The Auto Mode fee: Amazon EKS pricing (aws.amazon.com/eks/pricing/, "Amazon EKS Auto Mode") bills a per-second fee for
each instance Auto Mode manages, by instance type, on top of EC2. The published per-type fees are about 12% of the
instance's on-demand rate (as summarised from that page by cloudburn.io, "Amazon EKS Pricing 2026", and factualminds.com,
"EKS Auto Mode adds a ~12% markup"); the per-type table is not held here, so the fee is estimated as that share.
The built-in `system` pool runs only on-demand C, M or R instances of generation 5 or newer (EKS user guide,
set-builtin-node-pools.adoc) with more than one vCPU (automode-learn-instances.adoc): the cheapest that holds KEDA and
External Secrets is priced; every Auto Mode node carries the default NodeClass's 80 GiB disk.
"""
from __future__ import annotations

import math

from bench.prices import GP3_USD_PER_GIB_MONTH, CostLine, CostReport, hourly_price, monthly
from settings import Settings
from settings.unused import AUTOMODE_NODE_DISK_GIB

AUTOMODE_FEE_SHARE = 0.12
# The cheapest type the built-in system pool can pick for a few small add-on pods (us-west-2 on-demand, USD per hour).
AUTOMODE_SYSTEM_TYPE = "c6g.large"
AUTOMODE_SYSTEM_USD_PER_HOUR = 0.068


def automode_gpu_nodes(settings: Settings) -> tuple[int, int]:
    """(idle, full) GPU nodes: Auto Mode runs as many as the runner's pods need, KEDA sets those from the queues."""
    per_node = settings.runner_capacity // settings.nodes_max
    if settings.queue_autoscaling:
        minimum, maximum = settings.runner_replica_bounds
        return math.ceil(minimum / per_node), math.ceil(maximum / per_node)
    fixed = min(math.ceil(settings.runner_replicas / per_node), settings.nodes_max)
    return fixed, fixed


def automode_system_nodes(settings: Settings) -> int:
    """One system-pool node when an add-on runs there (Karpenter packs them; it keeps no spare), else none."""
    add_ons = settings.queue_autoscaling or settings.sqs_credentials in ("secretsmanager", "managed")
    return 1 if add_ons else 0


def as_automode(settings: Settings, report: CostReport) -> CostReport:
    """The nodegroups' bill (bench/monthly_cost.py) with its node lines replaced by Auto Mode's: what is not a node stays as it is."""
    prices = {name: hourly_price(name, "nodeType") for name in settings.node_type}
    gpu_type = min(prices, key=prices.__getitem__)
    idle_gpus, full_gpus = automode_gpu_nodes(settings)
    system = automode_system_nodes(settings)
    system_cost = monthly(AUTOMODE_SYSTEM_USD_PER_HOUR, system)
    gpu_idle, gpu_full = monthly(prices[gpu_type], idle_gpus), monthly(prices[gpu_type], full_gpus)
    idle_gib, full_gib = (idle_gpus + system) * AUTOMODE_NODE_DISK_GIB, (full_gpus + system) * AUTOMODE_NODE_DISK_GIB
    nodes = {
        "system_nodes": [CostLine("system_nodes", f"Auto Mode system pool, {AUTOMODE_SYSTEM_TYPE} (the cheapest it may pick)",
                                  system, system, system_cost, system_cost)] if system else [],
        "gpu_nodes": [
            CostLine("gpu_nodes", f"GPU nodes, {gpu_type}", idle_gpus, full_gpus, gpu_idle, gpu_full),
            CostLine("automode_fee", f"Auto Mode fee, ~{AUTOMODE_FEE_SHARE:.0%} of its nodes' EC2 rate", idle_gpus + system,
                     full_gpus + system, round((system_cost + gpu_idle) * AUTOMODE_FEE_SHARE, 2),
                     round((system_cost + gpu_full) * AUTOMODE_FEE_SHARE, 2))],
        "volumes": [CostLine("volumes", f"gp3 disks: {AUTOMODE_NODE_DISK_GIB} GiB per Auto Mode node", idle_gib, full_gib,
                             round(idle_gib * GP3_USD_PER_GIB_MONTH, 2), round(full_gib * GP3_USD_PER_GIB_MONTH, 2), "GiB")],
    }
    lines = [line for line in report.lines if line.key not in nodes]
    control = next(index for index, line in enumerate(lines) if line.key == "control_plane")
    lines[control + 1:control + 1] = nodes["system_nodes"]
    nat = max(index for index, line in enumerate(lines) if line.key.startswith("nat_"))
    lines[nat + 1:nat + 1] = [*nodes["gpu_nodes"], *nodes["volumes"]]
    notes = (f"Auto Mode fee estimated at {AUTOMODE_FEE_SHARE:.0%} of the EC2 on-demand rate; the EKS pricing page lists "
             "the exact fee per instance type.", *report.notes)
    return CostReport(report.price_region, report.prices_as_of, tuple(lines), notes)
