"""KEDA Helm values: pinned release, operator identity for EKS Pod Identity, placement, hardening; what waits for it."""
from __future__ import annotations

import pytest

from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from charts.queue_scaling import KEDA_API_VERSION
from stacks.addons.keda import (
    ADD_ON,
    SYSTEM_PODS,
    KEDA_CHART_NAME,
    KEDA_CHART_VERSION,
    KEDA_NAMESPACE,
    KEDA_OPERATOR_SERVICE_ACCOUNT,
    keda_values,
)
from tests.stacks.addons.footprint import requested

COMPONENTS = ("operator", "metricServer", "webhooks")


@pytest.fixture(scope="module")
def values() -> dict:
    return keda_values()


def test_pins_the_newest_release_serving_v1alpha1() -> None:
    # kedacore/charts release v2.21.1 (2026-11-16, "Latest"); keda.sh "Cluster" page: v2.21 is tested
    # on v1.34 - v1.36, which covers the default kubernetesVersion 1.36 (2.20 stopped at 1.35).
    assert KEDA_CHART_VERSION == "2.21.1"
    assert KEDA_API_VERSION == "keda.sh/v1alpha1"
    assert (KEDA_CHART_NAME, KEDA_NAMESPACE) == ("keda", "keda")


def test_operator_service_account_name_is_fixed_for_pod_identity(values: dict) -> None:
    assert KEDA_OPERATOR_SERVICE_ACCOUNT == "keda-operator"
    assert values["serviceAccount"]["operator"] == {"create": True, "name": KEDA_OPERATOR_SERVICE_ACCOUNT}


def test_uses_pod_identity_not_irsa(values: dict) -> None:
    assert values["podIdentity"]["aws"]["irsa"]["enabled"] is False
    assert "annotations" not in values["serviceAccount"]["operator"]


def test_runs_only_on_system_nodes(values: dict) -> None:
    assert values["nodeSelector"] == SYSTEM_NODE_SELECTOR


@pytest.mark.parametrize("component", COMPONENTS)
def test_every_component_is_sized_and_hardened(values: dict, component: str) -> None:
    resources = values["resources"][component]
    assert resources["requests"]["memory"] and resources["limits"]["memory"]
    container = values["securityContext"][component]
    assert container["allowPrivilegeEscalation"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert container["readOnlyRootFilesystem"] is True
    assert values["podSecurityContext"][component]["runAsNonRoot"] is True


def test_operator_rights_are_narrowed(values: dict) -> None:
    assert values["permissions"]["operator"]["restrict"]["secret"] is True
    assert values["rbac"]["enabledCustomScaledRefKinds"] is False
    assert values["crds"]["install"] is True
    assert "watchNamespace" not in values


def test_watch_namespace_scopes_the_operator() -> None:
    assert keda_values(watch_namespace="studioml")["watchNamespace"] == "studioml"
    with pytest.raises(ValueError, match=r"^watch_namespace must be a namespace name or None$"):
        keda_values(watch_namespace="")


def test_values_are_fresh_dicts_each_call() -> None:
    first = keda_values()
    first["securityContext"]["operator"]["readOnlyRootFilesystem"] = False
    assert keda_values()["securityContext"]["operator"]["readOnlyRootFilesystem"] is True


def test_its_system_pods_ask_what_the_values_request() -> None:
    resources = keda_values()["resources"]
    assert [(p.name, p.cpu_millis, p.memory_mib) for p in SYSTEM_PODS] == [
        ("keda-operator", *requested(resources["operator"])), ("keda-operator-metrics-apiserver", *requested(resources["metricServer"])),
        ("keda-admission-webhooks", *requested(resources["webhooks"]))]
    assert [(p.cpu_millis, p.memory_mib) for p in SYSTEM_PODS] == [(50, 100), (50, 100), (50, 32)]


def test_the_queue_scaling_waits_for_it() -> None:
    # Its ScaledObject and TriggerAuthentication are KEDA's kinds: applied before KEDA's CRDs, they are refused.
    assert ADD_ON.before == ("queue-scaling",)
