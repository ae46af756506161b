"""NVIDIA device plugin DaemonSet: makes GPU nodes advertise allocatable `nvidia.com/gpu`.

AL2023 NVIDIA AMIs ship the driver and container toolkit but not the device plugin; without it
no pod can request a GPU. Follows NVIDIA's static manifest (deployments/static/nvidia-device-plugin.yml
of NVIDIA/k8s-device-plugin at the pinned tag) and the hardening its Helm chart
(deployments/helm/nvidia-device-plugin: values.yaml, templates/daemonset-device-plugin.yml) applies or
leaves a knob for; every deviation says why.
"""
from __future__ import annotations

import re
from typing import Any

import cdk8s
from constructs import Construct

from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TOLERATION

DEVICE_PLUGIN_IMAGE_REPOSITORY = "nvcr.io/nvidia/k8s-device-plugin"
DAEMON_SET_NAME = "nvidia-device-plugin-daemonset"
NAMESPACE = "kube-system"
# Upstream's selector label, kept: a DaemonSet selector is immutable, so a cluster that already
# runs the upstream manifest can be taken over by `kubectl apply` only with the same selector.
POD_LABELS: dict[str, str] = {"name": "nvidia-device-plugin-ds"}
DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins"
DENY_INGRESS_POLICY_NAME = "nvidia-device-plugin-deny-ingress"
# NVIDIA ships no requests or limits (the chart's `resources: {}`); the plugin is one small Go process
# that lists GPUs and answers the kubelet. Requests keep it scheduled; the memory limit bounds a leak.
RESOURCES: dict[str, dict[str, str]] = {"requests": {"cpu": "10m", "memory": "64Mi"},
                                         "limits": {"cpu": "100m", "memory": "256Mi"}}

_RELEASE_TAG = re.compile(r"^v\d+\.\d+\.\d+$")


class DevicePluginChart(cdk8s.Chart):
    """The device plugin DaemonSet in kube-system, on GPU nodes only."""

    def __init__(self, scope: Construct, id: str, *, version: str) -> None:
        super().__init__(scope, id)
        if not _RELEASE_TAG.match(version):  # a release tag such as v0.20.0; never `latest`
            raise ValueError(f"device plugin version must be a release tag like v0.20.0, got {version!r}")

        self.daemon_set = cdk8s.ApiObject(
            self,
            "DaemonSet",
            api_version="apps/v1",
            kind="DaemonSet",
            metadata=cdk8s.ApiObjectMetadata(name=DAEMON_SET_NAME, namespace=NAMESPACE),
        )
        self.daemon_set.add_json_patch(cdk8s.JsonPatch.add("/spec", _daemon_set_spec(version)))
        # Deviation: NVIDIA ships no NetworkPolicy. The plugin speaks to the kubelet over a unix socket and
        # listens on no port, so nothing may connect to its pods.
        self.deny_ingress = cdk8s.ApiObject(
            self, "DenyIngress", api_version="networking.k8s.io/v1", kind="NetworkPolicy",
            metadata=cdk8s.ApiObjectMetadata(name=DENY_INGRESS_POLICY_NAME, namespace=NAMESPACE))
        self.deny_ingress.add_json_patch(cdk8s.JsonPatch.add("/spec", {"podSelector": {"matchLabels": dict(POD_LABELS)},
                                                                         "policyTypes": ["Ingress"]}))


def _daemon_set_spec(version: str) -> dict[str, Any]:
    return {
        "selector": {"matchLabels": dict(POD_LABELS)},
        "updateStrategy": {"type": "RollingUpdate"},
        "template": {
            "metadata": {"labels": dict(POD_LABELS)},
            "spec": {
                "tolerations": [dict(GPU_TOLERATION)],
                # Deviation: upstream has no nodeSelector and also lands on CPU nodes, where it
                # finds no driver; the label is set on the GPU nodegroup.
                "nodeSelector": dict(GPU_NODE_SELECTOR),
                # Critical node add-on: without it no GPU on the node can be allocated.
                "priorityClassName": "system-node-critical",
                # Static mode talks only to the kubelet's socket, never to the API (the chart's service account
                # exists for its config-manager sidecar, which this manifest does not run).
                "automountServiceAccountToken": False,
                # The chart's podSecurityContext knob, filled: the runtime's default syscall filter.
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [
                    {
                        "name": "nvidia-device-plugin-ctr",
                        "image": f"{DEVICE_PLUGIN_IMAGE_REPOSITORY}:{version}",
                        "env": [
                            # The plugin's own default (the flag defaults to true; v0.20.0's static manifest sets
                            # `env: []`), written out: we run on GPU nodes only, so an init failure is a real fault
                            # and must crash (visible, retried by the kubelet), never idle as a green pod that
                            # advertises no GPUs, whatever a later release's default becomes.
                            {"name": "FAIL_ON_INIT_ERROR", "value": "true"},
                        ],
                        "resources": RESOURCES,
                        # NVIDIA's default securityContext (the chart's, when neither CPU-manager compatibility nor
                        # CAP_SYS_ADMIN is asked for). Root stays: the socket directory is root's on the host.
                        # Read-only root: with the default device-list strategy the plugin writes only its socket,
                        # in the host directory below (CDI specs and MPS files, the other writes, are off here).
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": True,
                        },
                        "volumeMounts": [{"name": "device-plugin", "mountPath": DEVICE_PLUGINS_DIR}],
                    }
                ],
                # The one host path it needs: the kubelet's device-plugin socket directory, where it registers.
                # `Directory`, as upstream: the kubelet makes it, the plugin must never create it elsewhere.
                "volumes": [{"name": "device-plugin", "hostPath": {"path": DEVICE_PLUGINS_DIR, "type": "Directory"}}],
            },
        },
    }
