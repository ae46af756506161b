"""Who provides the nodes: managed nodegroups + cluster-autoscaler, or EKS Auto Mode; and system nodes sized from their pods."""
from __future__ import annotations

from typing import Annotated, Any, cast

from pydantic import AfterValidator, PrivateAttr, model_validator

from domain.system_nodes import SYSTEM_NODE_TYPES, SystemFit, cheapest_fit, fit
from settings.errors import SettingError
from settings.fields import SettingsBase
from settings.types import Text, quoted
from settings.unused import AUTOMODE_NODE_DISK_GIB, refuse_unused
from stacks.addons import Choices, cluster_autoscaler
from stacks.install_plan import InstallPlan

CAPACITY_SHAPES = ("nodegroups", "automode")
# NVIDIA GPU families EKS Auto Mode launches: EKS user guide, "Learn about Amazon EKS Auto Mode Managed instances"
# (automode-learn-instances), "EKS Auto Mode supported instance reference", the newest version found (it carries the
# 2026-04-22 note on hidden managed resources). The list grew: p4de in 2025; p5e, p5en, p6-b200, p6-b300 on 2026-04-10
# ("Review EKS Auto Mode release notes"); g7e since. One 2026 version left p3 out; the newest lists it again.
AUTOMODE_GPU_FAMILIES = ("g4dn", "g5", "g5g", "g6", "g6e", "g7e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en",
                         "p6-b200", "p6-b300")
def _capacity(value: str) -> str:
    if value.lower() not in CAPACITY_SHAPES:
        raise ValueError(f"{quoted(value)} is not a capacity shape. Use {' or '.join(CAPACITY_SHAPES)}")
    return value.lower()


CapacityShape = Annotated[Text, AfterValidator(_capacity)]


class CapacitySettings(SettingsBase):
    """The checks of the `capacity` setting (a field of NodeSettings, listed with the nodes), run after every other group's:
    sizing the system nodes needs the add-ons the scaling and credential settings install."""

    _system_fit: SystemFit | None = PrivateAttr(default=None)
    _install_plan: InstallPlan | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _unused_refusals(cls, raw: Any) -> Any:
        """Settings given explicitly that another setting leaves unused (settings/unused.py): one line, before any other check."""
        if isinstance(raw, dict):
            refuse_unused(raw)
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
        pods = self.install_plan.system_pods
        cheapest = cheapest_fit(count, pods)
        if chosen_type is None:
            if not cheapest.fits:
                raise SettingError("systemNodes", f"{count} x {cheapest.node_type} cannot hold the system pods with one node lost: "
                                   f"{cheapest.why_not}. Raise systemNodes, or set a larger systemNodeType")
            self._system_fit = cheapest
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
            self._system_fit = chosen

    # --- derived values -------------------------------------------------------------------
    @property
    def automode(self) -> bool:
        return cast(str, getattr(self, "capacity")) == "automode"

    @property
    def install_plan(self) -> InstallPlan:
        """What this configuration installs (stacks/install_plan.py): made once, on first use, from these settings."""
        if self._install_plan is None:
            self._install_plan = InstallPlan.of(Choices(
                kubernetes_version=getattr(self, "kubernetes_version"), automode=self.automode,
                autoscaling=getattr(self, "autoscaling_enabled"), queue_autoscaling=getattr(self, "queue_autoscaling"),
                sqs_credentials=getattr(self, "sqs_credentials"), device_plugin=getattr(self, "device_plugin_needed"),
                ecr_refresh=getattr(self, "ecr_refresh"),
                # GPU health and observability add-ons (settings/observability.py)
                node_monitoring_agent=getattr(self, "node_monitoring_agent", False),
                container_insights=getattr(self, "container_insights", False)))
        return self._install_plan

    @property
    def installs_cluster_autoscaler(self) -> bool:
        """Managed nodegroups need cluster-autoscaler to scale; Auto Mode scales its node pools itself (its unit decides)."""
        return self.install_plan.installs(cluster_autoscaler.ADD_ON)

    @property
    def gpu_node_disk_gib(self) -> int:
        return AUTOMODE_NODE_DISK_GIB if self.automode else getattr(self, "node_volume_size")

    @property
    def system_instance_type(self) -> str | None:
        """systemNodeType as given, else the cheapest type that holds the system pods; None without system nodes."""
        given: str | None = getattr(self, "system_node_type")
        return given or (self._system_fit.node_type if self._system_fit else None)

    @property
    def system_architecture(self) -> str:
        """From the table of system node types (domain/system_nodes.py): with system nodes, their type is always in it."""
        return SYSTEM_NODE_TYPES[self.system_instance_type or ""].architecture

    @property
    def system_fit(self) -> SystemFit | None:
        """How the system pods fit on the system nodes (None without system nodes, or for a type domain/system_nodes.py lacks)."""
        return self._system_fit
