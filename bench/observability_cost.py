"""What GPU health and observability add to `make cost`: the dashboard, the alarms and the alarm topic's key.

Prices: the CloudWatch pricing page (aws.amazon.com/cloudwatch/pricing), us-west-2, as read in November 2026,
without the free tier (3 dashboards and 10 alarm metrics per account, shared with everything else in it):
a custom dashboard $3.00 a month; a standard-resolution alarm $0.10 a month per metric it reads (a metric-math
alarm pays for each metric in its expression); a composite alarm $0.50 a month.
Container Insights (per observation) and its logs (per GB ingested and stored) are usage-based: named in a note.

The alarm counts mirror stacks/observability/alarms.py; tests/test_observability_cost.py checks them against a
synthesized template.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.prices import CostLine
    from settings import Settings

DASHBOARD_USD_PER_MONTH = 3.00
ALARM_METRIC_USD_PER_MONTH = 0.10
COMPOSITE_ALARM_USD_PER_MONTH = 0.50
LOGS_INGESTED_USD_PER_GB = 0.50
LOGS_STORED_USD_PER_GB_MONTH = 0.03


def alarm_metrics(settings: "Settings") -> tuple[int, int]:
    """(metrics read by standard alarms, composite alarms) of a configuration."""
    queues = len(settings.scaling.queues)
    metrics = queues * (2 if settings.scaling.create_queues else 1)  # oldest-message age, and the dead letters of created queues
    composites = 0
    if settings.observability.container_insights:
        if not settings.node.automode:
            metrics += 2  # GPUs missing: all nodes (less the system nodes) and the GPU capacity they report
        if queues:
            metrics += 1 + queues  # fleet at nodesMax; the queues' growth
            composites = 1
    return metrics, composites


def observability_lines(settings: "Settings", line: type["CostLine"], kms_key_usd: float) -> list["CostLine"]:
    metrics, composites = alarm_metrics(settings)
    alarms = round(metrics * ALARM_METRIC_USD_PER_MONTH + composites * COMPOSITE_ALARM_USD_PER_MONTH, 2)
    lines = [line("dashboard", "CloudWatch dashboard", 1, 1, DASHBOARD_USD_PER_MONTH, DASHBOARD_USD_PER_MONTH),
             line("alarms", f"CloudWatch alarms: {metrics} alarm metrics, {composites} composite", metrics + composites,
                  metrics + composites, alarms, alarms)]
    if settings.observability.alarm_email:
        lines.append(line("alarm_topic_key", "KMS key of the alarm topic", 1, 1, kms_key_usd, kms_key_usd))
    return lines


PRICES_SOURCE = "aws.amazon.com/cloudwatch/pricing, us-west-2, November 2026"


def observability_notes(settings: "Settings") -> list[str]:
    notes = [f"CloudWatch dashboard and alarms: list prices ({PRICES_SOURCE}), before the account's free tier."]
    if settings.observability.container_insights:
        notes.append(f"Container Insights bills per observation (metrics of every node, pod and container each minute) and its "
                     f"logs ${LOGS_INGESTED_USD_PER_GB:.2f} per GB ingested, ${LOGS_STORED_USD_PER_GB_MONTH:.2f} per GB-month kept "
                     "(30 days); usage-based, not included. containerInsights=false drops both.")
    return notes
