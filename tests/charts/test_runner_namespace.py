"""RunnerNamespaceChart: a Pod-Security-labelled Namespace (none for `default`) and a deny-ingress NetworkPolicy."""
from __future__ import annotations

import cdk8s
import pytest

from charts.runner_namespace import RunnerNamespaceChart
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict

APPS = ["studioml-go-runner", "gpu-smoke-test"]


@pytest.fixture(scope="module")
def charts() -> dict[str, RunnerNamespaceChart]:
    app = cdk8s.Testing.app()
    return {
        "custom": RunnerNamespaceChart(app, "Custom", namespace="studioml", pod_apps=APPS),
        "default": RunnerNamespaceChart(app, "Default", namespace="default", pod_apps=APPS),
    }


@pytest.fixture(scope="module")
def objects(charts) -> dict[str, list[dict]]:
    return {key: cdk8s.Testing.synth(chart) for key, chart in charts.items()}


def test_namespace_enforces_baseline_and_reports_restricted(objects, charts):
    """Kubernetes docs, "Pod Security Admission": enforce rejects, warn and audit report. The runner image
    (cmd/runner/Dockerfile.stock at 0.14.2) has no USER, so `restricted` (runAsNonRoot) would reject it."""
    namespace = find(objects["custom"], "Namespace", "studioml")
    assert namespace["apiVersion"] == "v1"
    assert namespace["metadata"]["labels"] == {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
    }
    assert charts["custom"].namespace_object is not None
    assert sorted(names(objects["custom"])) == ["Namespace/studioml", "NetworkPolicy/studioml-deny-ingress"]


def test_network_policy_denies_all_ingress_to_our_pods_only(objects):
    for key, namespace in (("custom", "studioml"), ("default", "default")):
        policy = find(objects[key], "NetworkPolicy", "studioml-deny-ingress")
        assert policy["metadata"]["namespace"] == namespace
        assert policy["spec"] == {
            "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": sorted(APPS)}]},
            "policyTypes": ["Ingress"],  # no ingress rule: nothing may connect; egress is not restricted
        }


def test_default_namespace_is_neither_created_nor_labelled(objects, charts):
    assert names(objects["default"]) == ["NetworkPolicy/studioml-deny-ingress"]
    assert charts["default"].namespace_object is None


def test_pod_apps_are_required():
    with pytest.raises(ValueError, match="pod_apps must name the app labels of the pods to protect"):
        RunnerNamespaceChart(cdk8s.Testing.app(), "Empty", namespace="studioml", pod_apps=[])


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_objects_are_valid(objects, kubernetes_version):
    for rendered in objects.values():
        validate_strict(rendered, kubernetes_version)
