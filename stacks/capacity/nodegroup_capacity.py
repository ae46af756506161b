"""The first capacity shape: managed nodegroups (GPU, and CPU for system pods) and the Pod Identity agent; cluster-autoscaler, which
scales them, is an add-on of the install plan (stacks/addons/cluster_autoscaler)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from aws_cdk import aws_eks_v2 as eks
from constructs import Construct, IConstruct

from charts.gpu_scheduling import (ACCELERATOR_LABEL_KEY, GPU_NODE_SELECTOR, GPU_TAINT_EFFECT, GPU_TAINT_KEY, GPU_TAINT_VALUE,
                                  SYSTEM_NODE_SELECTOR)
from stacks.capacity import GpuNodeShape, NodeTaint
from stacks.cluster_interface import cluster_interface
from stacks.capacity.nodegroups import GpuNodegroup, SshAccess, SystemNodegroup
from stacks.manifests import ManifestApplier
from stacks.node_repair import add_repair_overrides


@dataclass(frozen=True)
class GpuNodes:
    name_prefix: str
    instance_types: Sequence[str]
    ami_type: str
    capacity_type: str
    desired: int
    minimum: int
    maximum: int
    volume_gib: int
    accelerator: str  # value of the k8s.amazonaws.com/accelerator label
    gpus_per_node: int  # of the smallest listed type: what the autoscaler may count on
    ssh: SshAccess | None = None
    fast_image_pull: bool = False  # nodeadm's FastImagePull and gp3 throughput for it (AL2023 only)
    # Node auto repair actions per condition and reason (stacks/node_repair.py); empty keeps EKS's defaults.
    repair_overrides: Sequence[Mapping[str, object]] = ()


@dataclass(frozen=True)
class SystemNodes:
    name_prefix: str
    instance_type: str
    architecture: str
    count: int


class NodegroupCapacity(GpuNodeShape):
    """Implements `Capacity` with managed nodegroups. GPU nodes are tainted when system nodes exist to run everything else.

    Not a construct of its own: it builds its nodegroups in `scope` and the agent under `manifests` (with
    what else runs in the cluster), the construct paths, and so the logical ids, they were deployed with before the seam.
    """

    def __init__(self, scope: Construct, *, cluster: eks.Cluster, kubernetes_version: str, manifests: ManifestApplier, gpu: GpuNodes,
                 system: SystemNodes | None, join_after: Sequence[IConstruct] = ()) -> None:
        """`manifests`: the stack's applier, for what the nodes run in the cluster (another shape applies its node pools there);
        `kubernetes_version`: the cluster's minor, which the nodes follow;
        `join_after`: what must be in place before any node joins (the cluster's networking add-on)."""
        self.system_nodes = None
        self._system_count = system.count if system is not None else 0
        if system is not None:
            self.system_nodes = SystemNodegroup(scope, "SystemNodes", cluster=cluster, kubernetes_version=kubernetes_version,
                                                name_prefix=system.name_prefix,
                                                instance_type=system.instance_type, architecture=system.architecture,
                                                count=system.count)
        super().__init__({**GPU_NODE_SELECTOR, ACCELERATOR_LABEL_KEY: gpu.accelerator},
                         [NodeTaint(GPU_TAINT_KEY, GPU_TAINT_VALUE, GPU_TAINT_EFFECT)] if self.system_nodes else [])
        self.gpu_nodes = GpuNodegroup(
            scope, "GpuNodes", cluster=cluster, kubernetes_version=kubernetes_version, name_prefix=gpu.name_prefix,
            instance_types=gpu.instance_types,
            ami_type=gpu.ami_type, capacity_type=gpu.capacity_type, desired=gpu.desired, minimum=gpu.minimum, maximum=gpu.maximum,
            volume_gib=gpu.volume_gib, labels=self._labels, taint=bool(self._taints), ssh=gpu.ssh,
            fast_image_pull=gpu.fast_image_pull)
        if gpu.repair_overrides:
            add_repair_overrides(self.gpu_nodes.nodegroup, gpu.repair_overrides)
        self._ready: list[IConstruct] = [self.gpu_nodes, *([self.system_nodes] if self.system_nodes else [])]
        for group in self._ready:
            for dependency in join_after:
                group.node.add_dependency(dependency)

        self._agent = eks.Addon(manifests, "PodIdentityAgent", cluster=cluster_interface(cluster), addon_name="eks-pod-identity-agent")
        for group in self._ready:  # add-on pods need a node to run on
            self._agent.node.add_dependency(group)

    @property
    def ready(self) -> Sequence[IConstruct]:
        return list(self._ready)

    @property
    def pod_identity_agent(self) -> eks.Addon:
        return self._agent

    @property
    def fixed_system_nodes(self) -> int | None:
        return self._system_count

    @property
    def system_node_selector(self) -> Mapping[str, str]:
        return dict(SYSTEM_NODE_SELECTOR) if self.system_nodes else {}

    @property
    def system_tolerations(self) -> Sequence[Mapping[str, str]]:
        return []  # the system nodegroup is not tainted
