"""The capacity seam: what provides the nodes. The stack asks a `Capacity`, never which shape it is.

`NodegroupCapacity` (managed nodegroups + cluster-autoscaler, stacks/capacity/nodegroup_capacity.py) is the first
implementation; `AutoModeCapacity` (EKS Auto Mode, stacks/capacity/automode_capacity.py) the second.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence, runtime_checkable

from constructs import IConstruct


@dataclass(frozen=True)
class NodeTaint:
    """A taint in Kubernetes spelling (`NoSchedule`; the EKS API spells it NO_SCHEDULE)."""
    key: str
    value: str
    effect: str

    @property
    def toleration(self) -> dict[str, str]:
        """What a pod (or an agent on every GPU node) needs to run despite this taint, whatever its value."""
        return {"key": self.key, "operator": "Exists", "effect": self.effect}


class GpuNodeShape:
    """The labels and taints of the GPU nodes, as every capacity shape gives them (copies: callers cannot change them)."""

    def __init__(self, labels: Mapping[str, str], taints: Sequence[NodeTaint]) -> None:
        self._labels, self._taints = dict(labels), list(taints)

    @property
    def gpu_node_labels(self) -> Mapping[str, str]:
        return dict(self._labels)

    @property
    def gpu_taints(self) -> Sequence[NodeTaint]:
        return list(self._taints)


@runtime_checkable
class Capacity(Protocol):
    @property
    def ready(self) -> Sequence[IConstruct]:
        """What is ready to schedule on: objects applied to the cluster that need a node wait for these."""

    @property
    def gpu_node_labels(self) -> Mapping[str, str]:
        """Labels every GPU node carries: what GPU pods and GPU-only DaemonSets select on."""

    @property
    def gpu_taints(self) -> Sequence[NodeTaint]:
        """Taints every GPU node carries (empty when untainted): what GPU pods and GPU-node agents must tolerate."""

    @property
    def pod_identity_agent(self) -> IConstruct | None:
        """What a Pod Identity association waits for; None when the nodes run the agent themselves."""

    @property
    def fixed_system_nodes(self) -> int | None:
        """The fixed count of nodes that are not GPU nodes (what a GPU-count alarm subtracts from all nodes); None where it
        varies."""

    @property
    def system_node_selector(self) -> Mapping[str, str]:
        """What add-ons (KEDA, External Secrets) select to stay off GPU nodes; empty when there is no place but those."""

    @property
    def system_tolerations(self) -> Sequence[Mapping[str, str]]:
        """Tolerations add-ons need to run where `system_node_selector` sends them."""
