"""Container Insights as built: the add-on, its Pod Identity role with the agent's managed policy, its log groups."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aws_cdk import RemovalPolicy, aws_eks_v2 as eks, aws_iam as iam, aws_logs as logs
from constructs import Construct, IConstruct

from stacks.addons.container_insights import (ADDON_NAME, ADDON_VERSION, AGENT_POLICY, LOG_GROUP_KINDS, NAMESPACE, SERVICE_ACCOUNT,
                                              container_insights_values, dcgm_exporter, log_group_name)
from stacks.capacity import NodeTaint
from stacks.nag import acknowledge, managed_policy_finding
from stacks.pod_identity import PodIdentityRole

if TYPE_CHECKING:
    from stacks.install_plan import Site

LOG_RETENTION = logs.RetentionDays.ONE_MONTH


class ContainerInsights(Construct):
    """The add-on, its Pod Identity role, and the log groups it writes to."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, cluster_name: str, agent: IConstruct | None,
                 nodes: Sequence[IConstruct], dcgm_exporter: bool, gpu_taints: Sequence[NodeTaint]) -> None:
        super().__init__(scope, id)
        self.identity = PodIdentityRole(self, "Identity", cluster=cluster, agent=agent, namespace=NAMESPACE,
                                        service_account=SERVICE_ACCOUNT,
                                        description="CloudWatch agent and Fluent Bit: put Container Insights metrics and logs")
        self.identity.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(AGENT_POLICY))
        acknowledge(self.identity.role, managed_policy_finding(AGENT_POLICY),
                    "the policy AWS documents for the CloudWatch agent: put metrics, logs and traces; AWS keeps it in step with the agent")
        self.log_groups = {kind: logs.LogGroup(self, f"{kind.capitalize()}Logs", log_group_name=log_group_name(cluster_name, kind),
                                               retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
                           for kind in LOG_GROUP_KINDS}
        self.addon = eks.Addon(self, "Addon", cluster=cluster, addon_name=ADDON_NAME, addon_version=ADDON_VERSION,
                               configuration_values=container_insights_values(dcgm_exporter=dcgm_exporter, gpu_taints=gpu_taints))
        # The agent gets credentials only if it starts after the association; it writes into the log groups above.
        for dependency in (self.identity.association, *self.log_groups.values(), *nodes):
            self.addon.node.add_dependency(dependency)


def install(site: "Site") -> ContainerInsights:
    """Under the stack's observability (id `ContainerInsights`, where it was deployed), after the nodes."""
    return ContainerInsights(site.observability, "ContainerInsights", cluster=site.cluster, cluster_name=site.settings.cluster.cluster_name,
                             agent=site.capacity.pod_identity_agent, nodes=site.capacity.ready,
                             dcgm_exporter=dcgm_exporter(site.plan.choices), gpu_taints=site.capacity.gpu_taints)
