"""RunnerNamespaceChart: a Pod-Security-labelled Namespace, or nothing for `default`."""
from __future__ import annotations

import cdk8s
import pytest

from charts.runner_namespace import RunnerNamespaceChart
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict


@pytest.fixture(scope="module")
def charts() -> dict[str, RunnerNamespaceChart]:
    app = cdk8s.Testing.app()
    return {
        "custom": RunnerNamespaceChart(app, "Custom", namespace="studioml"),
        "default": RunnerNamespaceChart(app, "Default", namespace="default"),
    }


@pytest.fixture(scope="module")
def objects(charts) -> dict[str, list[dict]]:
    return {key: cdk8s.Testing.synth(chart) for key, chart in charts.items()}


def test_custom_namespace_is_created_with_baseline_pod_security(objects, charts):
    namespace = find(objects["custom"], "Namespace", "studioml")
    assert namespace["apiVersion"] == "v1"
    assert namespace["metadata"]["labels"] == {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "baseline",
        "pod-security.kubernetes.io/audit": "baseline",
    }
    assert charts["custom"].namespace_object is not None
    assert names(objects["custom"]) == ["Namespace/studioml"]


def test_default_namespace_renders_nothing(objects, charts):
    assert objects["default"] == []
    assert charts["default"].namespace_object is None


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_objects_are_valid(objects, kubernetes_version):
    for rendered in objects.values():
        validate_strict(rendered, kubernetes_version)
