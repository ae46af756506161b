"""DevicePluginChart: the NVIDIA device plugin DaemonSet, restricted to GPU nodes, hardened as NVIDIA ships it.

Compared with NVIDIA/k8s-device-plugin at v0.20.0: deployments/static/nvidia-device-plugin.yml (priority
system-node-critical; allowPrivilegeEscalation false, capabilities drop ALL; the one hostPath
/var/lib/kubelet/device-plugins, type Directory) and the Helm chart, whose values.yaml leaves `resources: {}`
and `podSecurityContext: {}` as knobs and whose templates/_helpers.tpl gives the same default securityContext.
"""
from __future__ import annotations

import cdk8s
import pytest

from charts.device_plugin import DevicePluginChart
from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TOLERATION
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict

VERSION = "v0.20.0"
DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins"


@pytest.fixture(scope="module")
def synth() -> tuple[DevicePluginChart, list[dict]]:
    chart = DevicePluginChart(cdk8s.Testing.app(), "DevicePlugin", version=VERSION)
    return chart, cdk8s.Testing.synth(chart)


@pytest.fixture(scope="module")
def objects(synth) -> list[dict]:
    return synth[1]


@pytest.fixture(scope="module")
def daemon_set(objects) -> dict:
    return find(objects, "DaemonSet", "nvidia-device-plugin-daemonset")


@pytest.fixture(scope="module")
def pod_spec(daemon_set) -> dict:
    return daemon_set["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def container(pod_spec) -> dict:
    (only,) = pod_spec["containers"]
    return only


def test_the_daemon_set_and_its_network_policy(objects):
    assert names(objects) == ["DaemonSet/nvidia-device-plugin-daemonset", "NetworkPolicy/nvidia-device-plugin-deny-ingress"]


def test_nothing_may_connect_to_the_plugin(objects):
    policy = find(objects, "NetworkPolicy", "nvidia-device-plugin-deny-ingress")
    assert policy["metadata"]["namespace"] == "kube-system"
    assert policy["spec"] == {"podSelector": {"matchLabels": {"name": "nvidia-device-plugin-ds"}}, "policyTypes": ["Ingress"]}


def test_attribute_is_the_daemon_set(synth):
    chart, _ = synth
    assert chart.daemon_set.kind == "DaemonSet"
    assert chart.daemon_set.name == "nvidia-device-plugin-daemonset"


def test_namespace_and_rollout(daemon_set):
    assert daemon_set["apiVersion"] == "apps/v1"
    assert daemon_set["metadata"]["namespace"] == "kube-system"
    assert daemon_set["spec"]["updateStrategy"] == {"type": "RollingUpdate"}


def test_selector_matches_upstream_label(daemon_set):
    assert daemon_set["spec"]["selector"] == {"matchLabels": {"name": "nvidia-device-plugin-ds"}}
    assert daemon_set["spec"]["template"]["metadata"]["labels"] == {"name": "nvidia-device-plugin-ds"}


def test_runs_on_gpu_nodes_only(pod_spec):
    assert pod_spec["nodeSelector"] == GPU_NODE_SELECTOR
    assert pod_spec["tolerations"] == [GPU_TOLERATION]


def test_is_node_critical(pod_spec):
    assert pod_spec["priorityClassName"] == "system-node-critical"


def test_image_is_the_pinned_version(container):
    assert container["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.20.0"


def test_fails_visibly_on_init_error(container):
    # NVIDIA/k8s-device-plugin v0.20.0: deployments/static/nvidia-device-plugin.yml sets `env: []`, and the
    # fail-on-init-error flag (cmd/nvidia-device-plugin/main.go) defaults to true: this states the default, it does not change it.
    assert {"name": "FAIL_ON_INIT_ERROR", "value": "true"} in container["env"]


def test_no_privilege(container):
    # NVIDIA's default (the chart's _helpers.tpl), plus a read-only root: with the default device-list strategy
    # the plugin writes only its socket (internal/plugin/server.go), in the host directory mounted below.
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                             "readOnlyRootFilesystem": True}


def test_runtime_default_seccomp_and_no_api_token(pod_spec):
    assert pod_spec["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}
    assert pod_spec["automountServiceAccountToken"] is False  # static mode never calls the API


def test_requests_and_limits(container):
    assert container["resources"] == {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "256Mi"}}


def test_only_the_kubelet_socket_dir_from_the_host(pod_spec, container):
    (volume,) = pod_spec["volumes"]
    assert volume["hostPath"] == {"path": DEVICE_PLUGINS_DIR, "type": "Directory"}
    assert container["volumeMounts"] == [{"name": volume["name"], "mountPath": DEVICE_PLUGINS_DIR}]


def test_no_generated_labels(daemon_set):
    assert not any(k.startswith("cdk8s.io") for k in daemon_set["spec"]["template"]["metadata"]["labels"])


@pytest.mark.parametrize("version", ["latest", "0.20.0", "v0.20", ""])
def test_rejects_non_release_version(version):
    with pytest.raises(ValueError, match=f"device plugin version must be a release tag like v0.20.0, got '{version}'"):
        DevicePluginChart(cdk8s.Testing.app(), "DevicePlugin", version=version)


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_valid_for_kubernetes(objects, kubernetes_version):
    validate_strict(objects, kubernetes_version)
