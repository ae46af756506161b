"""A configuration's monthly bill, idle (no work queued) and at full scale, one line per billed item, and its text."""
from __future__ import annotations

from typing import Mapping, cast

from bench.automode_cost import as_automode
from bench.observability_cost import observability_lines, observability_notes
from bench.prices import (EKS_CONTROL_PLANE_USD_PER_HOUR, GP3_USD_PER_GIB_MONTH, HOURS_PER_MONTH, KMS_KEY_USD_PER_MONTH, KMS_KEYS,
                          NAT_GATEWAY_USD_PER_GB, NAT_GATEWAY_USD_PER_HOUR, PRICE_REGION, PRICES_AS_OF, PUBLIC_IPV4_USD_PER_HOUR,
                          SYSTEM_NODE_VOLUME_GIB, CostLine, CostReport, hourly_price, monthly)
from domain.image_pull import FAST_PULL_THROUGHPUT_MIBPS, GP3_BASELINE_THROUGHPUT_MIBPS, GP3_USD_PER_MIBPS_MONTH
from settings import Settings


def monthly_costs(settings: Settings) -> CostReport:
    """The configuration's monthly bill, idle and at full scale; MissingPrice for a type the table lacks."""
    prices = {name: hourly_price(name, "nodeType") for name in settings.node.node_type}
    gpu_type = min(prices, key=prices.__getitem__)  # the nodegroup may launch any listed type: estimate the cheapest
    # Only an autoscaler moves the GPU count off `nodes`; with it, idle drains to nodesMin and a full queue fills nodesMax.
    idle_gpus, full_gpus = ((settings.node.nodes_min, settings.node.nodes_max) if settings.autoscaling_enabled
                            else (settings.node.nodes, settings.node.nodes))
    system_gib = settings.node.system_nodes * SYSTEM_NODE_VOLUME_GIB
    idle_gib = idle_gpus * settings.node.node_volume_size + system_gib
    full_gib = full_gpus * settings.node.node_volume_size + system_gib

    managed_key = settings.credentials.sqs_credentials == "managed"
    kms_keys = KMS_KEYS + managed_key
    lines = [CostLine("control_plane", "EKS control plane, standard support", 1, 1,
                      monthly(EKS_CONTROL_PLANE_USD_PER_HOUR, 1), monthly(EKS_CONTROL_PLANE_USD_PER_HOUR, 1))]
    if settings.node.system_nodes and not settings.node.automode:
        system_price = hourly_price(cast(str, settings.system_instance_type), "systemNodeType")
        system = monthly(system_price, settings.node.system_nodes)
        lines.append(CostLine("system_nodes", f"system nodes, {settings.system_instance_type}",
                              settings.node.system_nodes, settings.node.system_nodes, system, system))
    nat = monthly(NAT_GATEWAY_USD_PER_HOUR, settings.cluster.nat_gateways)
    nat_ipv4 = monthly(PUBLIC_IPV4_USD_PER_HOUR, settings.cluster.nat_gateways)
    lines += [
        CostLine("nat_gateways", "NAT gateways, hourly (see notes)", settings.cluster.nat_gateways, settings.cluster.nat_gateways, nat, nat),
        CostLine("nat_public_ipv4", "public IPv4 address of each NAT gateway", settings.cluster.nat_gateways, settings.cluster.nat_gateways,
                 nat_ipv4, nat_ipv4),
        CostLine("gpu_nodes", f"GPU nodes, {gpu_type}", idle_gpus, full_gpus,
                 monthly(prices[gpu_type], idle_gpus), monthly(prices[gpu_type], full_gpus)),
        CostLine("volumes", f"gp3 disks: {settings.node.node_volume_size} GiB per GPU node"
                 + (f", {SYSTEM_NODE_VOLUME_GIB} GiB per system node" if settings.node.system_nodes else ""),
                 idle_gib, full_gib, round(idle_gib * GP3_USD_PER_GIB_MONTH, 2), round(full_gib * GP3_USD_PER_GIB_MONTH, 2), "GiB"),
    ]
    if settings.node.fast_image_pull:  # the throughput above gp3's free baseline, on every GPU node's disk
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
    # Auto Mode's nodes, disks and fee replace the node lines (bench/automode_cost.py).
    return as_automode(settings, report) if settings.node.automode else report


def _notes(settings: Settings, prices: Mapping[str, float], gpu_type: str) -> tuple[str, ...]:
    notes = [f"NAT gateways also bill ${NAT_GATEWAY_USD_PER_GB:.3f} per GB of data processed (image pulls, data sets, "
             "queue traffic); not included."]
    if len(prices) > 1:
        dearest = max(prices, key=prices.__getitem__)
        notes.append(f"nodeType lists {', '.join(settings.node.node_type)}: GPU nodes are priced at the cheapest, {gpu_type} "
                     f"(${prices[gpu_type]:g}/h); the nodegroup may launch the others, up to {dearest} (${prices[dearest]:g}/h).")
    if settings.node.capacity_type == "SPOT":
        notes.append("capacityType is SPOT, priced here at on-demand rates: spot is typically far cheaper, "
                     "but its price varies by zone and over time, and AWS can reclaim the nodes.")
    if not settings.autoscaling_enabled and settings.node.nodes_max != settings.node.nodes:
        notes.append(f"Autoscaling is off: nothing changes the GPU node count, so full scale is still nodes={settings.node.nodes}, "
                     f"not nodesMax={settings.node.nodes_max}.")
    if settings.cluster.region != PRICE_REGION:
        notes.append(f"region is {settings.cluster.region}, priced here at {PRICE_REGION} rates; {settings.cluster.region}'s differ.")
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
