"""GPU health and observability of one cluster: the add-ons that see the nodes, the dashboard and the alarms."""
from __future__ import annotations

from typing import Mapping, Sequence

from aws_cdk import CfnOutput, Duration, Stack, aws_eks_v2 as eks
from constructs import Construct, IConstruct

from stacks.capacity import NodeTaint
from stacks.observability.alarms import FleetShape, OperationsAlarms
from stacks.observability.dashboard import OperationsDashboard


class ClusterObservability(Construct):
    """Node monitoring agent (owns DCGM) and Container Insights as asked; one dashboard and the alarms, always."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, cluster_name: str, nodes: Sequence[IConstruct],
                 pod_identity_agent: IConstruct | None, gpu_taints: Sequence[NodeTaint], node_monitoring_agent: bool, container_insights: bool,
                 gpu_health_built_in: bool = False,
                 queues: Sequence[str], dead_letter_queues: Mapping[str, str], namespace: str, deployment: str,
                 smoke_test_job: str | None, fleet: FleetShape, max_message_age: Duration, alarm_email: str | None) -> None:
        super().__init__(scope, id)
        self.node_monitoring_agent = None
        if node_monitoring_agent:
            from stacks.addons.node_monitoring_agent import NodeMonitoringAgent
            self.node_monitoring_agent = NodeMonitoringAgent(self, "NodeMonitoringAgent", cluster=cluster, nodes=nodes,
                                                             gpu_taints=gpu_taints)
        self.container_insights = None
        # One DCGM host engine per GPU: Container Insights' DCGM exporter runs only when the agent does not.
        dcgm_exporter = container_insights and not (node_monitoring_agent or gpu_health_built_in)  # Auto Mode's agent owns DCGM too
        if container_insights:
            from stacks.addons.container_insights import ContainerInsights
            self.container_insights = ContainerInsights(self, "ContainerInsights", cluster=cluster, cluster_name=cluster_name,
                                                        agent=pod_identity_agent, nodes=nodes, dcgm_exporter=dcgm_exporter,
                                                        gpu_taints=gpu_taints)
        self.alarms = OperationsAlarms(self, "Alarms", cluster_name=cluster_name, queues=queues, dead_letter_queues=dead_letter_queues,
                                       max_message_age=max_message_age, fleet=fleet if container_insights else None,
                                       alarm_email=alarm_email)
        self.dashboard = OperationsDashboard(self, "Dashboard", cluster_name=cluster_name, queues=queues,
                                             dead_letter_queues=dead_letter_queues, namespace=namespace, deployment=deployment,
                                             smoke_test_job=smoke_test_job,
                                             container_insights=container_insights, gpu_utilization=dcgm_exporter,
                                             alarms=self.alarms.alarms)
        stack = Stack.of(self)  # outputs at stack level: stable names that scripts read
        CfnOutput(stack, "DashboardUrl", value=self.dashboard.url, description="CloudWatch dashboard of this cluster")
        if self.alarms.topic is not None:
            CfnOutput(stack, "AlarmTopicArn", value=self.alarms.topic.topic_arn,
                      description="SNS topic of the alarms (confirm the subscription mail first)")
