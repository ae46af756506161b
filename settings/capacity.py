"""Who provides the nodes: managed nodegroups + cluster-autoscaler, or EKS Auto Mode; and system nodes sized from their pods."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, PrivateAttr, model_validator

from domain.system_nodes import SYSTEM_NODE_TYPES, SystemFit, cheapest_fit, fit
from domain.system_pods import system_pods
from settings.errors import SettingError
from settings.fields import SettingsBase
from settings.types import Text, quoted

CAPACITY_SHAPES = ("nodegroups", "automode")
# NVIDIA GPU families EKS Auto Mode launches: EKS user guide, "Learn about Amazon EKS Auto Mode Managed instances"
# (automode-learn-instances), "EKS Auto Mode supported instance reference", the newest version found (it carries the
# 2026-04-22 note on hidden managed resources). The list grew: p4de in 2025; p5e, p5en, p6-b200, p6-b300 on 2026-04-10
# ("Review EKS Auto Mode release notes"); g7e since. One 2026 version left p3 out; the newest lists it again.
AUTOMODE_GPU_FAMILIES = ("g4dn", "g5", "g5g", "g6", "g6e", "g7e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en",
                         "p6-b200", "p6-b300")
# Disk of an Auto Mode node from the built-in `default` NodeClass (EKS user guide, create-node-class.adoc,
# "Node Class Specification": ephemeralStorage.size 80Gi); nodeVolumeSize would need an own NodeClass.
AUTOMODE_NODE_DISK_GIB = 80
# Settings that only shape a managed nodegroup, refused when set explicitly with capacity=automode, and why.
AUTOMODE_REFUSED: dict[str, str] = {
    "gpuAmiType": "Auto Mode picks and patches the GPU AMI itself (its own NVIDIA driver and device plugin). Leave gpuAmiType unset",
    "systemNodes": "Auto Mode runs add-ons on its built-in system node pool, sized to what runs there. Leave systemNodes unset",
    "systemNodeType": "Auto Mode picks the system node pool's instances itself. Leave systemNodeType unset",
    "sshPublicKey": "Auto Mode nodes allow no SSH or SSM access (EKS user guide, automode-learn-instances). Leave sshPublicKey unset",
    "sshAllowedCidrs": "Auto Mode nodes allow no SSH access. Leave sshAllowedCidrs unset",
    "nodeVolumeSize": f"Auto Mode nodes take their disk from the built-in NodeClass ({AUTOMODE_NODE_DISK_GIB} GiB). "
                      "Leave nodeVolumeSize unset, or use capacity=nodegroups",
    "nodeMonitoringAgent": "Auto Mode runs the node monitoring agent and node auto repair on every node itself (EKS user guide, "
                           "node-health). Leave nodeMonitoringAgent unset",
    "nodes": "Auto Mode has no desired node count: it starts a GPU node for each runner pod that waits. "
             "Leave nodes unset; nodesMin and nodesMax bound the runners",
    "devicePluginVersion": "Auto Mode runs its own NVIDIA device plugin on GPU nodes (EKS user guide, auto-accelerated). "
                           "Leave devicePluginVersion unset",
    "fastImagePull": "it configures nodeadm on managed nodegroup nodes, and Auto Mode's nodes take no user data. "
                     "Leave fastImagePull unset",
}


def _capacity(value: str) -> str:
    if value.lower() not in CAPACITY_SHAPES:
        raise ValueError(f"{quoted(value)} is not a capacity shape. Use {' or '.join(CAPACITY_SHAPES)}")
    return value.lower()


CapacityShape = Annotated[Text, AfterValidator(_capacity)]


class CapacitySettings(SettingsBase):
    """The checks of the `capacity` setting (a field of NodeSettings, listed with the nodes), run after every other group's:
    sizing the system nodes needs the add-ons the scaling and credential settings install."""

    _system_fit: SystemFit | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _automode_refusals(cls, raw: Any) -> Any:
        """Settings given explicitly that Auto Mode has no place for: one line each, before any other check."""
        if isinstance(raw, dict) and str(raw.get("capacity", "")).strip().lower() == "automode":
            for name, why in AUTOMODE_REFUSED.items():
                if raw.get(name) is not None:
                    raise SettingError(name, f"is not used with capacity=automode: {why}")
        return raw

    @model_validator(mode="after")
    def _capacity_checks(self) -> "CapacitySettings":
        if self.automode:
            for name in getattr(self, "node_type"):
                if name.split(".")[0] not in AUTOMODE_GPU_FAMILIES:
                    raise SettingError("nodeType", f"{name} is not a type EKS Auto Mode launches (GPU families: "
                                       f"{', '.join(AUTOMODE_GPU_FAMILIES)}). Pick one of those, or use capacity=nodegroups")
        else:
            self._size_system_nodes()
        return self

    def _size_system_nodes(self) -> None:
        """Unset systemNodeType: the cheapest Graviton type that holds the system pods with one node lost; set, it must hold them."""
        count, chosen_type = getattr(self, "system_nodes"), getattr(self, "system_node_type")
        if count == 0:
            if chosen_type is not None:
                raise SettingError("systemNodeType", f"is set ({chosen_type}) but systemNodes is 0: there are no system nodes. "
                                   "Drop systemNodeType, or set systemNodes to 1 or more")
            return
        pods = system_pods(cluster_autoscaler=self.installs_cluster_autoscaler, keda=getattr(self, "queue_autoscaling"),
                           external_secrets=getattr(self, "sqs_credentials") in ("secretsmanager", "managed"),
                           ecr_refresh=getattr(self, "ecr_refresh"),
                           # GPU health and observability add-ons (settings/observability.py)
                           node_monitoring_agent=getattr(self, "node_monitoring_agent", False),
                           container_insights=getattr(self, "container_insights", False))
        cheapest = cheapest_fit(count, pods)
        if chosen_type is None:
            if not cheapest.fits:
                raise SettingError("systemNodes", f"{count} x {cheapest.node_type} cannot hold the system pods with one node lost: "
                                   f"{cheapest.why_not}. Raise systemNodes, or set a larger systemNodeType")
            object.__setattr__(self, "system_node_type", cheapest.node_type)
            object.__setattr__(self, "_system_fit", cheapest)
        elif chosen_type not in SYSTEM_NODE_TYPES:
            # Pods per node, CPU and memory come from the table: a type outside it could not be checked to hold the pods.
            raise SettingError("systemNodeType", f"{chosen_type} is not a type whose pod slots, CPU and memory this project knows "
                               f"(domain/system_nodes.py), so the system pods' fit cannot be checked. Use one of "
                               f"{', '.join(SYSTEM_NODE_TYPES)}, or leave it unset")
        else:
            chosen = fit(chosen_type, count, pods)
            if not chosen.fits:
                instead = f"Use {cheapest.node_type} or larger" if cheapest.fits else "Use a larger type"
                raise SettingError("systemNodeType", f"{count} x {chosen_type} cannot hold the system pods with one node lost: "
                                   f"{chosen.why_not}. {instead}, or raise systemNodes")
            object.__setattr__(self, "_system_fit", chosen)

    # --- derived values -------------------------------------------------------------------
    @property
    def automode(self) -> bool:
        return getattr(self, "capacity") == "automode"

    @property
    def installs_cluster_autoscaler(self) -> bool:
        """Managed nodegroups need cluster-autoscaler to scale; Auto Mode scales its node pools itself."""
        return getattr(self, "autoscaling_enabled") and not self.automode

    @property
    def gpu_node_disk_gib(self) -> int:
        return AUTOMODE_NODE_DISK_GIB if self.automode else getattr(self, "node_volume_size")

    @property
    def system_fit(self) -> SystemFit | None:
        """How the system pods fit on the system nodes (None without system nodes, or for a type domain/system_nodes.py lacks)."""
        return self._system_fit
