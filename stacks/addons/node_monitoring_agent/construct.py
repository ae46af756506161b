"""The node monitoring agent as an EKS add-on on every node, its DCGM server on the GPU nodes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IConstruct

from stacks.addons.node_monitoring_agent import ADDON_NAME, ADDON_VERSION, node_monitoring_agent_values
from stacks.capacity import NodeTaint

if TYPE_CHECKING:
    from stacks.install_plan import Site


class NodeMonitoringAgent(Construct):
    """`eks-node-monitoring-agent` on every node, its DCGM server on the GPU nodes (tolerating `gpu_taints`); after `nodes`."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, nodes: Sequence[IConstruct],
                 gpu_taints: Sequence[NodeTaint]) -> None:
        super().__init__(scope, id)
        self.addon = eks.Addon(self, "Addon", cluster=cluster, addon_name=ADDON_NAME, addon_version=ADDON_VERSION,
                               configuration_values=node_monitoring_agent_values(gpu_taints=gpu_taints) or None)
        for group in nodes:  # DaemonSets: the add-on reports healthy only once they run somewhere
            self.addon.node.add_dependency(group)


def install(site: "Site") -> NodeMonitoringAgent:
    """Under the stack's observability (id `NodeMonitoringAgent`, where it was deployed), after the nodes."""
    return NodeMonitoringAgent(site.observability, "NodeMonitoringAgent", cluster=site.cluster, nodes=site.capacity.ready,
                               gpu_taints=site.capacity.gpu_taints)
