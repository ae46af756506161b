"""Who provides the nodes: managed nodegroups + cluster-autoscaler, or EKS Auto Mode; and system nodes sized from their pods."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from domain.system_nodes import SYSTEM_NODE_TYPES, SystemFit, cheapest_fit, fit
from domain.system_pods import SystemPod
from settings.errors import SettingError
from settings.types import Text, quoted

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


def system_node_fit(count: int, chosen_type: str | None, pods: list[SystemPod]) -> SystemFit | None:
    """How the system pods fit on `count` nodes of systemNodeType, else of the cheapest Graviton type; None without
    system nodes, or for a type domain/system_nodes.py lacks (which check_system_nodes refuses)."""
    if count == 0:
        return None
    if chosen_type is None:
        return cheapest_fit(count, pods)
    return fit(chosen_type, count, pods) if chosen_type in SYSTEM_NODE_TYPES else None


def check_system_nodes(count: int, chosen_type: str | None, pods: list[SystemPod]) -> None:
    """Unset systemNodeType: the cheapest Graviton type must hold the system pods with one node lost; set, it must hold them."""
    if count == 0:
        if chosen_type is not None:
            raise SettingError("systemNodeType", f"is set ({chosen_type}) but systemNodes is 0: there are no system nodes. "
                               "Drop systemNodeType, or set systemNodes to 1 or more")
        return
    cheapest = cheapest_fit(count, pods)
    if chosen_type is None:
        if not cheapest.fits:
            raise SettingError("systemNodes", f"{count} x {cheapest.node_type} cannot hold the system pods with one node lost: "
                               f"{cheapest.why_not}. Raise systemNodes, or set a larger systemNodeType")
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
