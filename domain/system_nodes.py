"""Whether the system pods fit on the system nodes with one node lost, and the cheapest type that does.

What a node offers pods (its allocatable) follows the AL2023 EKS AMI: awslabs/amazon-eks-ami nodeadm/internal/kubelet/
config.go reserves 11 MiB per pod + 255 MiB of memory and 6% of the first core, 1% of the second, 0.5% of the third and
fourth, 0.25% of the rest; the kubelet evicts below 100 MiB free. Pods per node are the VPC CNI's limit, ENIs x (IPv4
addresses per ENI - 1) + 2 (the EKS AMI's former eni-max-pods.txt, now computed from the same EC2 figures).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from domain.system_pods import SystemPod

EVICTION_MIB = 100
# Requests are not usage, and the kernel sees less than the nominal memory: leave a tenth of allocatable memory free.
MEMORY_MARGIN = 0.9


@dataclass(frozen=True)
class SystemNodeType:
    name: str
    vcpus: int
    memory_gib: float
    enis: int
    ips_per_eni: int
    architecture: str

    @property
    def max_pods(self) -> int:
        return self.enis * (self.ips_per_eni - 1) + 2

    @property
    def cpu_millis(self) -> int:
        """Allocatable CPU: the cores less nodeadm's kube-reserved share."""
        cores = self.vcpus * 1000
        reserved = sum(max(0, min(cores, end) - start) * share // 10000
                       for start, end, share in ((0, 1000, 600), (1000, 2000, 100), (2000, 4000, 50), (4000, 1 << 30, 25)))
        return cores - reserved

    @property
    def memory_mib(self) -> int:
        """Allocatable memory less MEMORY_MARGIN: nominal, less kube-reserved and the eviction threshold."""
        return int((self.memory_gib * 1024 - (11 * self.max_pods + 255) - EVICTION_MIB) * MEMORY_MARGIN)


def _types(architecture: str, rows: dict[str, tuple[int, float, int, int]]) -> dict[str, SystemNodeType]:
    return {name: SystemNodeType(name, *row, architecture) for name, row in rows.items()}


# (vCPUs, GiB, ENIs, IPv4 per ENI) from the EC2 instance type specifications.
SYSTEM_NODE_TYPES: dict[str, SystemNodeType] = {
    **_types("arm64", {"t4g.small": (2, 2, 3, 4), "t4g.medium": (2, 4, 3, 6), "t4g.large": (2, 8, 3, 12),
                       "t4g.xlarge": (4, 16, 4, 15), "m6g.large": (2, 8, 3, 10), "m7g.large": (2, 8, 3, 10)}),
    **_types("x86_64", {"t3.small": (2, 2, 3, 4), "t3.medium": (2, 4, 3, 6), "t3.large": (2, 8, 3, 12),
                        "t3.xlarge": (4, 16, 4, 15), "t3.2xlarge": (8, 32, 4, 15),
                        "t3a.small": (2, 2, 3, 4), "t3a.medium": (2, 4, 3, 6), "t3a.large": (2, 8, 3, 12),
                        "t3a.xlarge": (4, 16, 4, 15), "t3a.2xlarge": (8, 32, 4, 15),
                        "m5.large": (2, 8, 3, 10), "m6i.large": (2, 8, 3, 10), "m7i.large": (2, 8, 3, 10),
                        "c6i.large": (2, 4, 3, 10)}),
}
# The default is the first of these that fits (cheapest first): Graviton when every system image is published for arm64.
GRAVITON_CHOICES = ("t4g.small", "t4g.medium", "t4g.large", "t4g.xlarge")
X86_CHOICES = ("t3a.small", "t3a.medium", "t3a.large", "t3a.xlarge")


@dataclass(frozen=True)
class SystemFit:
    node_type: str
    nodes: int
    pods: int  # all pods once one node is lost: the Deployments' and the survivors' DaemonSet pods
    cpu_millis: int
    memory_mib: int
    fits: bool
    why_not: str  # empty when it fits

    @property
    def survivors(self) -> int:
        return max(self.nodes - 1, 1)

    def line(self) -> str:
        lost = "with one node lost" if self.nodes > 1 else "on its only node (none to spare)"
        node = SYSTEM_NODE_TYPES[self.node_type]
        return (f"{self.nodes} x {self.node_type} hold the {self.pods} system pods ({self.cpu_millis}m CPU, "
                f"{self.memory_mib}Mi requested) {lost}: {self.survivors} x ({node.cpu_millis}m, {node.memory_mib}Mi, "
                f"{node.max_pods} pods)")


def fit(node_type: str, nodes: int, pods: Sequence[SystemPod]) -> SystemFit:
    """Packs the pods onto all but one of `nodes` (largest memory first, each on the first node with room)."""
    node = SYSTEM_NODE_TYPES[node_type]
    survivors = max(nodes - 1, 1)
    per_node = [p for p in pods if p.per_node]
    placed = sorted((p for p in pods if not p.per_node for _ in range(p.replicas)),
                    key=lambda p: (p.memory_mib, p.cpu_millis), reverse=True)
    room = [[node.cpu_millis - sum(p.cpu_millis for p in per_node), node.memory_mib - sum(p.memory_mib for p in per_node),
             node.max_pods - len(per_node)] for _ in range(survivors)]
    why_not = ""
    for pod in placed:
        target = next((r for r in room if r[0] >= pod.cpu_millis and r[1] >= pod.memory_mib and r[2] >= 1), None)
        if target is None:
            why_not = f"{pod.name} finds no node with {pod.cpu_millis}m CPU, {pod.memory_mib}Mi and a pod slot left"
            break
        target[0] -= pod.cpu_millis
        target[1] -= pod.memory_mib
        target[2] -= 1
    total_pods = len(placed) + len(per_node) * survivors
    cpu = sum(p.cpu_millis for p in placed) + sum(p.cpu_millis for p in per_node) * survivors
    memory = sum(p.memory_mib for p in placed) + sum(p.memory_mib for p in per_node) * survivors
    return SystemFit(node_type, nodes, total_pods, cpu, memory, not why_not, why_not)


def cheapest_fit(nodes: int, pods: Sequence[SystemPod]) -> SystemFit:
    """The first of GRAVITON_CHOICES (X86_CHOICES if any image lacks arm64) that holds the pods with one node lost."""
    choices = GRAVITON_CHOICES if all(p.arm64 for p in pods) else X86_CHOICES
    fits = [fit(name, nodes, pods) for name in choices]
    return next((f for f in fits if f.fits), fits[-1])
