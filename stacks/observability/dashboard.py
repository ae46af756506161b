"""One CloudWatch dashboard per cluster: the queues, the runners, the GPU fleet and the smoke test at a glance.

Layout (24 columns; README.md draws it):
  alarms                                                     (24 wide)
  per queue: messages visible + age of the oldest (12) | its dead letters (12, created queues only)
  runner replicas wanted and ready (12)                 | how to read the smoke test's result (12)
  GPU nodes and GPUs (8) | GPU utilization (8)          | GPU memory utilization (8)
Without Container Insights the last two rows are one note saying so.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from aws_cdk import Stack, aws_cloudwatch as cloudwatch
from constructs import Construct

from stacks.observability.metrics import (GPU_MEMORY_UTILIZATION, GPU_UTILIZATION, NODE_GPUS_IN_USE, OLDEST_MESSAGE_AGE,
                                          REPLICAS_DESIRED, REPLICAS_READY, VISIBLE_MESSAGES, CLUSTER_NODES,
                                          cluster_metric, gpu_capacity, nodes_reporting_gpus, queue_metric, workload_metric)

FULL, HALF, THIRD = 24, 12, 8
HEIGHT = 6


def dashboard_name(cluster_name: str) -> str:
    return f"{cluster_name}-gpu-fleet"


def dashboard_url(region: str, name: str) -> str:
    console = "console.amazonaws.cn" if region.startswith("cn-") else "console.aws.amazon.com"
    return f"https://{region}.{console}/cloudwatch/home?region={region}#dashboards/dashboard/{name}"


class OperationsDashboard(Construct):
    """`deployment`/`smoke_test_job`: the runner's Deployment and the GPU smoke-test Job, in `namespace`."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, queues: Sequence[str], dead_letter_queues: Mapping[str, str],
                 namespace: str, deployment: str, smoke_test_job: str | None, container_insights: bool,
                 gpu_utilization: bool, alarms: Sequence[cloudwatch.IAlarm]) -> None:
        super().__init__(scope, id)
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name(cluster_name),
                                              period_override=cloudwatch.PeriodOverride.INHERIT)
        self.url = dashboard_url(Stack.of(self).region, dashboard_name(cluster_name))
        if alarms:
            self.dashboard.add_widgets(cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=FULL, height=3))
        for queue in queues:
            row = [cloudwatch.GraphWidget(
                title=f"{queue}: work waiting", width=HALF, height=HEIGHT,
                left=[queue_metric(queue, VISIBLE_MESSAGES, "messages visible")],
                right=[queue_metric(queue, OLDEST_MESSAGE_AGE, "oldest message (s)")])]
            if queue in dead_letter_queues:
                row.append(cloudwatch.GraphWidget(
                    title=f"{dead_letter_queues[queue]}: dead letters", width=HALF, height=HEIGHT,
                    left=[queue_metric(dead_letter_queues[queue], VISIBLE_MESSAGES, "dead letters")]))
            self.dashboard.add_widgets(*row)
        if not container_insights:
            self.dashboard.add_widgets(cloudwatch.TextWidget(
                markdown="Runner, GPU and smoke-test widgets need Container Insights (`containerInsights=true`).", width=FULL, height=2))
            return
        runners = cloudwatch.GraphWidget(
            title="Runner pods: wanted and ready", width=HALF, height=HEIGHT,
            left=[workload_metric(cluster_name, namespace, deployment, REPLICAS_DESIRED, "Maximum", "wanted"),
                  workload_metric(cluster_name, namespace, deployment, REPLICAS_READY, "Maximum", "ready")])
        # Not a graph: a finished Job's pods have no running container, and Container Insights reports a pod's phase only
        # on the metrics of its running containers (stacks/observability/metrics.py), so succeeded/failed stay empty.
        smoke = cloudwatch.TextWidget(markdown=(
            f"**Smoke test** (Job `{smoke_test_job}`): its result is the Job's status, which no metric carries. "
            f"`make status`, or `kubectl -n {namespace} get job {smoke_test_job}`."
            if smoke_test_job else "No smoke test (`gpuSmokeTest=false`)."), width=HALF, height=HEIGHT)
        self.dashboard.add_widgets(runners, smoke)
        fleet = cloudwatch.GraphWidget(
            title="Nodes and GPUs", width=THIRD, height=HEIGHT,
            left=[cluster_metric(cluster_name, CLUSTER_NODES, "Maximum", "nodes (all)"), nodes_reporting_gpus(cluster_name),
                  gpu_capacity(cluster_name), cluster_metric(cluster_name, NODE_GPUS_IN_USE, "Sum", "GPUs held by running pods")])
        if gpu_utilization:
            usage: list[cloudwatch.IWidget] = [cloudwatch.GraphWidget(title="GPU utilization (%)", width=THIRD, height=HEIGHT,
                                            left=[cluster_metric(cluster_name, GPU_UTILIZATION, "Average", "average"),
                                                  cluster_metric(cluster_name, GPU_UTILIZATION, "Maximum", "busiest GPU")]),
                     cloudwatch.GraphWidget(title="GPU memory utilization (%)", width=THIRD, height=HEIGHT,
                                            left=[cluster_metric(cluster_name, GPU_MEMORY_UTILIZATION, "Average", "average"),
                                                  cluster_metric(cluster_name, GPU_MEMORY_UTILIZATION, "Maximum", "fullest GPU")])]
        else:
            usage = [cloudwatch.TextWidget(
                markdown="**GPU utilization and memory** come from a DCGM exporter, and the node monitoring agent owns DCGM on "
                         "these nodes (one DCGM per GPU; see README.md). Set `nodeMonitoringAgent=false` to trade GPU health "
                         "repair for these graphs.", width=2 * THIRD, height=HEIGHT)]
        self.dashboard.add_widgets(fleet, *usage)
