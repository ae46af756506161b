"""The second capacity shape: EKS Auto Mode. AWS runs, patches and scales the nodes; this project adds one GPU NodePool.

What Auto Mode brings, from the EKS user guide (awsdocs/amazon-eks-user-guide, latest/ug/automode/): the NVIDIA driver and
device plugin on GPU instances (auto-accelerated.adoc), Karpenter autoscaling and the EKS Pod Identity Agent (automode.adoc,
"Automated Components": "You do not have to install the EKS Pod Identity Agent"), and a built-in `system` node pool with a
`CriticalAddonsOnly` taint for cluster-critical add-ons (set-builtin-node-pools.adoc), whose nodes Karpenter labels
`karpenter.sh/nodepool: system` (Karpenter's well-known label for the pool a node belongs to).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from aws_cdk import aws_eks_v2 as eks
from constructs import IConstruct

from charts.gpu_node_pool import GpuNodePoolChart
from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TAINT_EFFECT, GPU_TAINT_KEY, GPU_TAINT_VALUE
from stacks.capacity import GpuNodeShape, NodeTaint
from stacks.manifests import ManifestApplier

# Built-in node pools enabled on the cluster (aws_eks_v2 ComputeConfig.node_pools): `system` for the add-ons, and
# `general-purpose` for the few pods that select no pool (the ECR pull-secret refresh); each starts nodes only for pods.
BUILT_IN_NODE_POOLS = ["system", "general-purpose"]
SYSTEM_POOL_SELECTOR = {"karpenter.sh/nodepool": "system"}
SYSTEM_POOL_TOLERATIONS = [{"key": "CriticalAddonsOnly", "operator": "Exists"}]


@dataclass(frozen=True)
class GpuNodePool:
    name: str
    instance_types: Sequence[str]
    capacity_type: str  # ON_DEMAND or SPOT
    max_gpus: int


class AutoModeCapacity(GpuNodeShape):
    """Implements `Capacity` with EKS Auto Mode: applies the GPU NodePool, and needs no device plugin, autoscaler or agent.

    The cluster itself must have been created with Auto Mode on (GpuEksCluster(auto_mode=True)).
    """

    def __init__(self, *, manifests: ManifestApplier, gpu: GpuNodePool) -> None:
        super().__init__(GPU_NODE_SELECTOR, [NodeTaint(GPU_TAINT_KEY, GPU_TAINT_VALUE, GPU_TAINT_EFFECT)])
        chart = GpuNodePoolChart(manifests.k8s_app, "gpu-node-pool", name=gpu.name, instance_types=gpu.instance_types,
                                 capacity_type=gpu.capacity_type, max_gpus=gpu.max_gpus, labels=self._labels,
                                 taints=[{"key": t.key, "value": t.value, "effect": t.effect} for t in self._taints])
        self.node_pool: eks.KubernetesManifest = manifests.apply("gpu-node-pool", chart)

    @property
    def ready(self) -> Sequence[IConstruct]:
        return [self.node_pool]  # nodes come when pods wait for them: the pool must exist first

    @property
    def pod_identity_agent(self) -> None:
        return None

    @property
    def fixed_system_nodes(self) -> int | None:
        # Karpenter sizes the system pool, and add-ons without the system pool's toleration (the CloudWatch operator,
        # chart 6.2.0 values) start general-purpose nodes: no fixed count.
        return None

    @property
    def system_node_selector(self) -> Mapping[str, str]:
        return dict(SYSTEM_POOL_SELECTOR)

    @property
    def system_tolerations(self) -> Sequence[Mapping[str, str]]:
        return [dict(t) for t in SYSTEM_POOL_TOLERATIONS]
