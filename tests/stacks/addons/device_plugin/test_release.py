"""The device plugin as an add-on: the release it pins with the minors NVIDIA supports, where it installs, when, what
waits for it."""
from __future__ import annotations

from dataclasses import replace

from charts.device_plugin import NAMESPACE as CHART_NAMESPACE
from stacks.addons import Choices
from stacks.addons.device_plugin import ADD_ON, DEVICE_PLUGIN

CHOICES = Choices(kubernetes_version="1.36", automode=False, autoscaling=True, queue_autoscaling=False, sqs_credentials="none",
                  device_plugin=True, ecr_refresh=False, node_monitoring_agent=False, container_insights=False)


def test_pins_v0_20_0_for_every_minor():
    # NVIDIA/k8s-device-plugin README.md at v0.20.0, Prerequisites: "Kubernetes version >= 1.10".
    assert [(c.version, c.kubernetes_minors) for c in ADD_ON.versions("1.34")] == [("v0.20.0", ("1.34", "1.35", "1.36"))]
    assert DEVICE_PLUGIN.source


def test_installs_where_its_chart_applies_it():
    assert ADD_ON.namespaces == (CHART_NAMESPACE,) == ("kube-system",)  # NVIDIA's static manifest's namespace


def test_only_when_the_gpu_nodes_lack_one():
    assert ADD_ON.installed(CHOICES) and not ADD_ON.installed(replace(CHOICES, device_plugin=False))
    assert ADD_ON.system_pods == ()  # a DaemonSet on the GPU nodes only


def test_the_gpu_checks_wait_for_it():
    # Their pods ask for nvidia.com/gpu, which a node advertises only once the plugin runs there.
    assert ADD_ON.before == ("gpu-checks",)
