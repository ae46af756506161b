"""One table of pinned components and the Kubernetes minors each supports; settings refuse what it does not list."""
from __future__ import annotations

from pathlib import Path

import pytest

from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from domain.component_versions import KUBECTL_LAYER, KUBERNETES_VERSIONS
from settings import load_settings
from stacks.addons import Choices
from stacks.addons.cluster_autoscaler import CA_VERSIONS, CLUSTER_AUTOSCALER
from stacks.addons.device_plugin import DEVICE_PLUGIN
from stacks.addons.external_secrets import ESO_CHART_VERSIONS, EXTERNAL_SECRETS, eso_helm_values
from stacks.addons.keda import KEDA, KEDA_CHART_VERSION, keda_values
from stacks.install_plan import InstallPlan
from tests.setting_errors import error_line

REQUIREMENTS = (Path(__file__).parent.parent / "requirements.txt").read_text().splitlines()


def test_keda_and_external_secrets_are_their_newest_releases_with_their_own_kubernetes_lists():
    # KEDA: kedacore/charts release v2.21.1 (2026-11-16, "Latest"); keda.sh/docs/operate/cluster
    # "Kubernetes Compatibility": v2.21 -> v1.34 - v1.36 (v2.20 -> v1.33 - v1.35 did not cover 1.36).
    assert (KEDA.version, KEDA.kubernetes_minors) == ("2.21.1", ("1.34", "1.35", "1.36"))
    # External Secrets, one release per minor: docs/introduction/stability-support.md (external-secrets main at
    # cc5bfbc2, 2026-08-08) lists 2.0-2.6 -> 1.34-1.35, 2.7 -> 1.35, 2.8 -> 1.35-1.36, 2.9 -> 1.36; each minor has a .0
    # release only, its chart on tag helm-chart-X.Y.0. 1.36 keeps v2.14.0, the newest release (its notes: image v2.14.0).
    assert {minor: (c.version, c.kubernetes_minors) for minor, c in EXTERNAL_SECRETS.items()} == {
        "1.34": ("2.6.0", ("1.34", "1.35")), "1.35": ("2.8.0", ("1.35", "1.36")), "1.36": ("2.14.0", ("1.36",))}
    assert KEDA_CHART_VERSION == KEDA.version
    assert ESO_CHART_VERSIONS == {"1.34": "2.6.0", "1.35": "2.8.0", "1.36": "2.14.0"}


def test_the_table_is_what_the_stack_installs():
    # cluster-autoscaler: one image minor per Kubernetes minor (kubernetes/autoscaler README, "Releases").
    assert {minor: c.version for minor, c in CLUSTER_AUTOSCALER.items()} == {m: tag for m, (_, tag) in CA_VERSIONS.items()}
    assert all(c.kubernetes_minors == (minor,) for minor, c in CLUSTER_AUTOSCALER.items())
    # The kubectl layers pinned in requirements.txt, one per minor the app offers.
    assert [c.version for c in KUBECTL_LAYER.values()] == [line for line in REQUIREMENTS if line.startswith("aws-cdk.lambda-layer-kubectl-")]
    assert KUBERNETES_VERSIONS == ("1.34", "1.35", "1.36")
    # NVIDIA/k8s-device-plugin README.md at v0.20.0, Prerequisites: "Kubernetes version >= 1.10".
    assert load_settings({}, {}).node.device_plugin_version == DEVICE_PLUGIN.version == "v0.20.0"
    assert DEVICE_PLUGIN.kubernetes_minors == KUBERNETES_VERSIONS
    for component in (KEDA, *EXTERNAL_SECRETS.values(), DEVICE_PLUGIN, *CLUSTER_AUTOSCALER.values(), *KUBECTL_LAYER.values()):
        assert component.source, component.name


def first_unsupported(kubernetes_version: str, *, keda: bool, external_secrets: bool, cluster_autoscaler: bool, device_plugin: bool):
    """The first release the install plan of a managed-nodegroup configuration with these add-ons installs that does not list
    the minor."""
    plan = InstallPlan.of(Choices(kubernetes_version=kubernetes_version, automode=False, autoscaling=cluster_autoscaler,
                                  queue_autoscaling=keda, sqs_credentials="managed" if external_secrets else "none",
                                  device_plugin=device_plugin, ecr_refresh=False, node_monitoring_agent=True, container_insights=True))
    unsupported = plan.first_unsupported()
    return unsupported[0] if unsupported else None


def test_only_installed_components_count(monkeypatch):
    assert first_unsupported("1.35", keda=True, external_secrets=True, cluster_autoscaler=True, device_plugin=True) is None
    older = EXTERNAL_SECRETS["1.36"].__class__("External Secrets", "2.9.0", ("1.36",), "a release for 1.36 only")
    monkeypatch.setitem(EXTERNAL_SECRETS, "1.35", older)
    assert first_unsupported("1.35", keda=False, external_secrets=True, cluster_autoscaler=False, device_plugin=False) is older
    assert first_unsupported("1.35", keda=True, external_secrets=False, cluster_autoscaler=True, device_plugin=True) is None


def test_an_unsupported_combination_is_refused_naming_kubernetes_version(monkeypatch):
    monkeypatch.setitem(EXTERNAL_SECRETS, "1.35", EXTERNAL_SECRETS["1.36"])  # a pin that does not list its own minor
    assert error_line({"kubernetesVersion": "1.35"}) == (
        "error: kubernetesVersion: 1.35 is not among the Kubernetes versions External Secrets 2.14.0 supports (1.36). "
        "Use kubernetesVersion=1.36, or set sqsCredentials=file or none.")


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_listed_minor_loads_with_the_defaults_and_with_every_add_on(version):
    assert load_settings({"kubernetesVersion": version}, {}).cluster.kubernetes_version == version
    every_add_on = load_settings({"kubernetesVersion": version, "sqsCredentials": "managed", "queues": "sqs_a", "nodesMin": "0",
                                  "nodes": "0"}, {})
    assert every_add_on.installs_cluster_autoscaler and every_add_on.queue_autoscaling
    assert load_settings({"kubernetesVersion": version, "sqsCredentials": "none", "queues": "sqs_a", "nodesMin": "0", "nodes": "0"},
                         {}).cluster.kubernetes_version == version


def _leaves(values: dict, prefix: str = "") -> set[str]:
    found = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        free_form = key in ("nodeSelector", "seccompProfile") or (isinstance(value, dict) and set(value) <= {"requests", "limits"})
        found |= _leaves(value, path + ".") if isinstance(value, dict) and value and not free_form else {path}
    return found


def test_every_keda_value_is_one_the_chart_has():
    # Checked against kedacore/charts keda/values.yaml (main, 2026-08-22, after v2.20.2; the v2.21.1 file was
    # not available offline): each path below is a key there, or a map it copies into the pod spec.
    assert _leaves(keda_values(watch_namespace="default")) == {
        "crds.install", "serviceAccount.operator.create", "serviceAccount.operator.name", "podIdentity.aws.irsa.enabled",
        "nodeSelector", "watchNamespace", "permissions.operator.restrict.secret", "rbac.create", "rbac.enabledCustomScaledRefKinds",
        # nodeSelector, seccompProfile and each component's resources are maps the chart copies into the pod spec.
        *(f"resources.{c}" for c in ("operator", "metricServer", "webhooks")),
        *(f"securityContext.{c}.{k}" for c in ("operator", "metricServer", "webhooks")
          for k in ("allowPrivilegeEscalation", "capabilities.drop", "readOnlyRootFilesystem", "seccompProfile")),
        *(f"podSecurityContext.{c}.{k}" for c in ("operator", "metricServer", "webhooks") for k in ("runAsNonRoot", "seccompProfile")),
    }


def test_every_external_secrets_value_is_one_the_chart_has():
    # Checked against deploy/charts/external-secrets/values.yaml (external-secrets main, 2026-08-09, chart
    # 2.9.0; the 2.14.0 file was not available offline).
    hardened = ("enabled", "allowPrivilegeEscalation", "capabilities.drop", "readOnlyRootFilesystem", "runAsNonRoot", "seccompProfile")
    assert _leaves(eso_helm_values(scoped_namespace="default")) == {
        "installCRDs", "serviceAccount.create", "serviceAccount.name", "processClusterStore", "processClusterExternalSecret",
        "processClusterPushSecret", "processPushSecret", "processClusterGenerator", "rbac.create", "rbac.aggregateToEdit",
        "rbac.aggregateToView", "scopedNamespace", "scopedRBAC",
        *(f"{prefix}{key}" for prefix in ("", "webhook.", "certController.") for key in ("resources", "nodeSelector")),
        *(f"{prefix}securityContext.{key}" for prefix in ("", "webhook.", "certController.") for key in hardened),
    }


def test_external_secrets_pods_run_on_the_system_nodes_like_keda_and_the_autoscaler():
    # external-secrets templates (deploy/charts/external-secrets/templates/): deployment.yaml reads
    # `.Values.nodeSelector`, webhook-deployment.yaml `.Values.webhook.nodeSelector`,
    # cert-controller-deployment.yaml `.Values.certController.nodeSelector` (each defaulting to global).
    values = eso_helm_values(scoped_namespace="default")
    assert [values["nodeSelector"], values["webhook"]["nodeSelector"], values["certController"]["nodeSelector"]] == [SYSTEM_NODE_SELECTOR] * 3
    assert keda_values()["nodeSelector"] == SYSTEM_NODE_SELECTOR
    # With systemNodes=0 there is no such node (and GPU nodes are untainted): no selector then.
    bare = eso_helm_values(on_system_nodes=False)
    assert "nodeSelector" not in bare and "nodeSelector" not in bare["webhook"] and "nodeSelector" not in bare["certController"]
