"""The device plugin's chart, applied once the GPU nodes can take it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_eks_v2 as eks

from charts.device_plugin import DevicePluginChart

if TYPE_CHECKING:
    from stacks.install_plan import Site


def install(site: "Site") -> eks.KubernetesManifest:
    """The release `devicePluginVersion` names, through the stack's applier (`device-plugin`), after the nodes."""
    chart = DevicePluginChart(site.manifests.k8s_app, "device-plugin", version=site.settings.node.device_plugin_version)
    return site.manifests.apply("device-plugin", chart, after=site.capacity.ready)
