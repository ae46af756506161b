"""External Secrets Operator install values: a release per minor, a fixed service account, one namespace, hardening;
which of the runner's charts wait for it."""
from __future__ import annotations

import re

from stacks.addons.external_secrets import ADD_ON, ESO_CHART_VERSIONS, SYSTEM_PODS, eso_helm_values
from tests.stacks.addons.footprint import requested

NAMESPACE = "studioml"


def test_eso_pins_a_release_per_minor() -> None:
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in ESO_CHART_VERSIONS.values())


def test_eso_values_fix_the_service_account_and_limit_what_the_controller_does() -> None:
    values = eso_helm_values()
    assert values["installCRDs"] is True
    assert values["serviceAccount"]["name"] == "external-secrets"  # the chart's default, fixed for the Pod Identity association
    for component in (values, values["webhook"], values["certController"]):
        assert component["resources"]["requests"]["memory"]
        assert component["resources"]["limits"]["memory"]
        assert component["securityContext"]["allowPrivilegeEscalation"] is False
    for cluster_wide in ("processClusterStore", "processClusterExternalSecret", "processClusterPushSecret", "processPushSecret"):
        assert values[cluster_wide] is False
    assert values["rbac"]["aggregateToEdit"] is False
    assert "scopedNamespace" not in values


def test_eso_values_scope_the_controller_to_one_namespace() -> None:
    values = eso_helm_values(scoped_namespace=NAMESPACE)
    assert (values["scopedNamespace"], values["scopedRBAC"]) == (NAMESPACE, True)


def test_its_system_pods_ask_what_the_values_request() -> None:
    values = eso_helm_values()
    assert [(p.cpu_millis, p.memory_mib) for p in SYSTEM_PODS] == [
        requested(values["resources"]), requested(values["webhook"]["resources"]), requested(values["certController"]["resources"])]
    assert [(p.cpu_millis, p.memory_mib) for p in SYSTEM_PODS] == [(10, 64), (10, 32), (10, 32)]


def test_the_sqs_credentials_wait_for_it() -> None:
    # Their SecretStore and ExternalSecret are External Secrets' kinds: applied before its CRDs, they are refused.
    assert ADD_ON.before == ("sqs-credentials",)
