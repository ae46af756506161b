"""Observability of one cluster: the dashboard and the alarms; the add-ons that see the nodes sit under it."""
from __future__ import annotations

from typing import Mapping, Sequence

from aws_cdk import CfnOutput, Duration, Stack
from constructs import Construct

from stacks.observability.alarms import FleetShape, OperationsAlarms
from stacks.observability.dashboard import OperationsDashboard


class ClusterObservability(Construct):
    """One dashboard and the alarms, always. The GPU health and observability add-ons the install plan lists (the node
    monitoring agent, which owns DCGM, and Container Insights) are built under it by their units."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, container_insights: bool, gpu_utilization: bool,
                 queues: Sequence[str], dead_letter_queues: Mapping[str, str], namespace: str, deployment: str,
                 smoke_test_job: str | None, fleet: FleetShape, max_message_age: Duration, alarm_email: str | None) -> None:
        """`container_insights`: its metrics exist (node and GPU counts); `gpu_utilization`: its DCGM exporter runs."""
        super().__init__(scope, id)
        self.alarms = OperationsAlarms(self, "Alarms", cluster_name=cluster_name, queues=queues, dead_letter_queues=dead_letter_queues,
                                       max_message_age=max_message_age, fleet=fleet if container_insights else None,
                                       alarm_email=alarm_email)
        self.dashboard = OperationsDashboard(self, "Dashboard", cluster_name=cluster_name, queues=queues,
                                             dead_letter_queues=dead_letter_queues, namespace=namespace, deployment=deployment,
                                             smoke_test_job=smoke_test_job,
                                             container_insights=container_insights, gpu_utilization=gpu_utilization,
                                             alarms=self.alarms.alarms)
        stack = Stack.of(self)  # outputs at stack level: stable names that scripts read
        CfnOutput(stack, "DashboardUrl", value=self.dashboard.url, description="CloudWatch dashboard of this cluster")
        if self.alarms.topic is not None:
            CfnOutput(stack, "AlarmTopicArn", value=self.alarms.topic.topic_arn,
                      description="SNS topic of the alarms (confirm the subscription mail first)")
