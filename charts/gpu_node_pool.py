"""The EKS Auto Mode NodePool for the runner's GPU nodes: which instances, how many GPUs, and when a node may go.

Fields and labels as the EKS user guide documents them for Auto Mode (awsdocs/amazon-eks-user-guide,
latest/ug/automode/create-node-pool.adoc: "Sample NodePool", "EKS Auto Mode Supported Labels", "Disruption";
auto-accelerated.adoc: the NVIDIA NodePool) and Karpenter's v1 NodePool API they follow (karpenter.sh/v1.0,
concepts/nodepools `spec.limits`, concepts/disruption "NodePool Disruption Budgets": reasons Drifted, Underutilized, Empty).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import cdk8s
from constructs import Construct

NODE_POOL_API_VERSION = "karpenter.sh/v1"
# The NodeClass Auto Mode creates with its built-in node pools (auto-accelerated.adoc, Prerequisites).
DEFAULT_NODE_CLASS = {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"}
# Auto Mode's well-known labels (create-node-pool.adoc, "EKS Auto Mode Supported Labels").
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"
CAPACITY_TYPE_LABEL = "karpenter.sh/capacity-type"
CAPACITY_TYPES = {"ON_DEMAND": "on-demand", "SPOT": "spot"}
# How long a GPU node may sit empty before it goes. KEDA has already waited its cooldown before it scaled the
# runner to zero (charts/queue_scaling.py), so this only adds idle GPU time: 2 minutes keeps the tail after a burst
# about 4.5 minutes at p50 (`make latency CDK_ARGS="-c capacity=automode"`).
EMPTY_NODE_GRACE = "2m"
# A runner is busy for as long as it runs: a node with a runner on it is never replaced for drift (a new Auto
# Mode AMI) or consolidation. Empty nodes may all go at once. Expiry (expireAfter) is not held by budgets.
DISRUPTION_BUDGETS = [
    {"nodes": "0", "reasons": ["Drifted", "Underutilized"]},
    {"nodes": "100%", "reasons": ["Empty"]},
]


class GpuNodePoolChart(cdk8s.Chart):
    """One NodePool on the `default` NodeClass: the listed instance types, labelled and tainted like the nodegroup's GPU nodes."""

    def __init__(self, scope: Construct, id: str, *, name: str, instance_types: Sequence[str], capacity_type: str,
                 max_gpus: int, labels: Mapping[str, str], taints: Sequence[Mapping[str, str]]) -> None:
        """`max_gpus`: the pool's GPU limit (nodesMax nodes of the smallest type); `taints` in Kubernetes spelling."""
        super().__init__(scope, id)
        if not instance_types:
            raise ValueError("instance_types must list at least one GPU instance type")
        if max_gpus < 1:
            raise ValueError(f"max_gpus must be at least 1, got {max_gpus}")
        self.node_pool = cdk8s.ApiObject(self, "node-pool", api_version=NODE_POOL_API_VERSION, kind="NodePool",
                                         metadata=cdk8s.ApiObjectMetadata(name=name))
        self.node_pool.add_json_patch(cdk8s.JsonPatch.add("/spec", {
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "nodeClassRef": dict(DEFAULT_NODE_CLASS),
                    "requirements": [
                        {"key": INSTANCE_TYPE_LABEL, "operator": "In", "values": list(instance_types)},
                        {"key": CAPACITY_TYPE_LABEL, "operator": "In", "values": [CAPACITY_TYPES[capacity_type]]},
                    ],
                    "taints": [dict(taint) for taint in taints],
                },
            },
            # Karpenter launches no node that would take the pool past this many GPUs.
            "limits": {"nvidia.com/gpu": str(max_gpus)},
            "disruption": {
                "consolidationPolicy": "WhenEmpty",
                "consolidateAfter": EMPTY_NODE_GRACE,
                "budgets": [dict(budget) for budget in DISRUPTION_BUDGETS],
            },
        }))
