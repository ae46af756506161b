"""The NVIDIA device plugin: makes GPU nodes advertise allocatable `nvidia.com/gpu`. Its DaemonSet is a cdk8s chart of ours
(charts/device_plugin.py), applied on the GPU nodes only, so it adds nothing to the system nodes.

Plain data only, so settings can check its version at load time; construct.py imports aws-cdk-lib.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from domain.component_versions import Component
from stacks.addons import AddOn, Choices

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.install_plan import Site

# NVIDIA device plugin README (v0.20.0), Prerequisites: "Kubernetes version >= 1.10", so every minor we offer.
# The release the `devicePluginVersion` setting defaults to.
DEVICE_PLUGIN = Component("NVIDIA device plugin", "v0.20.0", ("1.34", "1.35", "1.36"),
                          "NVIDIA/k8s-device-plugin README.md at v0.20.0, Prerequisites: Kubernetes >= 1.10")
NAMESPACE = "kube-system"  # NVIDIA's static manifest's, kept by charts/device_plugin.py


def _installed(choices: Choices) -> bool:
    """AL2023 NVIDIA AMIs ship no device plugin; Bottlerocket's NVIDIA variants run their own, and so does Auto Mode on its GPU
    nodes, invisible as a DaemonSet (EKS user guide, automode/auto-accelerated.adoc)."""
    return choices.device_plugin


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.device_plugin.construct import install
    return install(site)


# The GPU checks wait for it: their pods ask for `nvidia.com/gpu`, which no node advertises before it runs.
ADD_ON = AddOn("device-plugin", namespaces=(NAMESPACE,), installed=_installed, install=_install,
               versions=lambda minor: (DEVICE_PLUGIN,), before=("gpu-checks",))
