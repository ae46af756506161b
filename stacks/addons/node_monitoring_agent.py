"""The EKS node monitoring agent add-on: node health conditions (AcceleratedHardwareReady for GPUs) that node auto repair acts on.

Facts from the agent's chart and configuration schema at v1.7.0 (github.com/aws/eks-node-monitoring-agent,
charts/eks-node-monitoring-agent/values.yaml, charts/configuration.schema.json):
- the agent DaemonSet tolerates every taint (`nodeAgent.tolerations: [{operator: Exists}]`);
- the `dcgm-server` DaemonSet, which runs the one DCGM host engine (nv-hostengine) the agent reads GPU health
  from, tolerates nothing (`dcgmAgent.tolerations: []`), so on tainted GPU nodes it never starts and the agent
  reports DCGMError (aws/containers-roadmap#2567): this construct adds the GPU taint's toleration;
- it needs no AWS permissions (no IAM role, no Pod Identity): it writes node conditions and events through
  the Kubernetes API with its own RBAC.
"""
from __future__ import annotations

from typing import Any, Sequence

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IConstruct

from stacks.capacity import NodeTaint

ADDON_NAME = "eks-node-monitoring-agent"
# The chart v1.7.0 ships this image tag; the add-on's configuration schema above is that version's.
ADDON_VERSION = "v1.7.0-eksbuild.1"
# The node condition the agent sets for GPU (and Neuron) faults; node auto repair replaces or reboots on it.
ACCELERATED_HARDWARE_CONDITION = "AcceleratedHardwareReady"


def node_monitoring_agent_values(*, gpu_taints: Sequence[NodeTaint]) -> dict[str, Any]:
    """Configuration values: DCGM's server must run where the GPUs are, tainted or not."""
    return {"dcgmAgent": {"tolerations": [taint.toleration for taint in gpu_taints]}} if gpu_taints else {}


class NodeMonitoringAgent(Construct):
    """`eks-node-monitoring-agent` on every node, its DCGM server on the GPU nodes (tolerating `gpu_taints`); after `nodes`."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, nodes: Sequence[IConstruct],
                 gpu_taints: Sequence[NodeTaint]) -> None:
        super().__init__(scope, id)
        self.addon = eks.Addon(self, "Addon", cluster=cluster, addon_name=ADDON_NAME, addon_version=ADDON_VERSION,
                               configuration_values=node_monitoring_agent_values(gpu_taints=gpu_taints) or None)
        for group in nodes:  # DaemonSets: the add-on reports healthy only once they run somewhere
            self.addon.node.add_dependency(group)
