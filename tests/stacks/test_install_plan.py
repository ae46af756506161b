"""The install plan: which add-ons a configuration installs, their pods, releases and namespaces, decided once."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from settings import load_settings
from stacks.addons import Choices, cluster_autoscaler, container_insights
from stacks.install_plan import ADD_ONS, Installed, InstallPlan, add_on_namespaces

NODEGROUPS = Choices(kubernetes_version="1.36", automode=False, autoscaling=True, queue_autoscaling=True, sqs_credentials="managed",
                     device_plugin=True, ecr_refresh=True, node_monitoring_agent=True, container_insights=True)


def names(plan: InstallPlan) -> list[str]:
    return [add_on.name for add_on in plan.add_ons]


def test_every_add_on_is_listed_once_in_install_order():
    assert [add_on.name for add_on in ADD_ONS] == ["node-monitoring-agent", "container-insights", "cluster-autoscaler", "device-plugin",
                                                   "keda", "external-secrets"]


def test_everything_on_managed_nodegroups():
    assert names(InstallPlan.of(NODEGROUPS)) == [add_on.name for add_on in ADD_ONS]


def test_auto_mode_brings_its_own_autoscaling_device_plugin_and_node_monitoring_agent():
    plan = InstallPlan.of(replace(NODEGROUPS, automode=True, device_plugin=False))
    assert names(plan) == ["container-insights", "keda", "external-secrets"]
    assert not plan.installs(cluster_autoscaler.ADD_ON)


@pytest.mark.parametrize(("choices", "installed"), [
    ({"autoscaling": False}, "cluster-autoscaler"),
    ({"queue_autoscaling": False}, "keda"),
    ({"sqs_credentials": "file"}, "external-secrets"),
    ({"sqs_credentials": "none"}, "external-secrets"),
    ({"device_plugin": False}, "device-plugin"),
    ({"node_monitoring_agent": False}, "node-monitoring-agent"),
    ({"container_insights": False}, "container-insights"),
])
def test_each_add_on_follows_its_choice(choices, installed):
    assert installed not in names(InstallPlan.of(replace(NODEGROUPS, **choices)))


def test_secrets_manager_credentials_need_external_secrets():
    assert "external-secrets" in names(InstallPlan.of(replace(NODEGROUPS, sqs_credentials="secretsmanager")))


def test_system_pods_are_eks_then_the_add_ons_then_the_ecr_refresh():
    pods = [pod.name for pod in InstallPlan.of(NODEGROUPS).system_pods]
    assert pods == ["aws-node (VPC CNI)", "kube-proxy", "eks-pod-identity-agent", "CoreDNS", "eks-node-monitoring-agent", "cloudwatch-agent",
                    "fluent-bit", "amazon-cloudwatch-observability-controller-manager", "cluster-autoscaler", "keda-operator",
                    "keda-operator-metrics-apiserver", "keda-admission-webhooks", "external-secrets", "external-secrets-webhook",
                    "external-secrets-cert-controller", "ecr-credential-refresh"]
    bare = InstallPlan.of(replace(NODEGROUPS, autoscaling=False, queue_autoscaling=False, sqs_credentials="none", ecr_refresh=False,
                                  node_monitoring_agent=False, container_insights=False))
    assert [pod.name for pod in bare.system_pods] == ["aws-node (VPC CNI)", "kube-proxy", "eks-pod-identity-agent", "CoreDNS"]


def test_releases_are_the_kubectl_layer_then_each_add_ons():
    plan = InstallPlan.of(replace(NODEGROUPS, kubernetes_version="1.35"))
    assert [(c.name, c.version) for c, _ in plan.components] == [
        ("kubectl layer", "aws-cdk.lambda-layer-kubectl-v35==2.2.2"), ("cluster-autoscaler", "v1.35.2"),
        ("NVIDIA device plugin", "v0.20.0"), ("KEDA", "2.21.1"), ("External Secrets", "2.8.0")]
    assert plan.first_unsupported() is None


def test_namespaces_of_every_add_on_installed_or_not():
    assert add_on_namespaces() == ("kube-system", "amazon-cloudwatch", "keda", "external-secrets")


def test_one_dcgm_host_engine_per_gpu():
    assert not container_insights.dcgm_exporter(NODEGROUPS)  # the node monitoring agent owns DCGM
    assert container_insights.dcgm_exporter(replace(NODEGROUPS, node_monitoring_agent=False))
    assert not container_insights.dcgm_exporter(replace(NODEGROUPS, node_monitoring_agent=False, automode=True))  # Auto Mode's agent does


def test_settings_make_the_plan_once():
    settings = load_settings({}, {})
    assert settings.install_plan is settings.install_plan
    # The defaults: managed nodegroups that scale, credentials from Secrets Manager, GPU health and Container Insights on.
    assert names(settings.install_plan) == ["node-monitoring-agent", "container-insights", "cluster-autoscaler", "device-plugin",
                                            "external-secrets"]
    assert names(load_settings({"capacity": "automode"}, {}).install_plan) == ["container-insights", "external-secrets"]


def test_cluster_autoscaler_needs_system_nodes_of_managed_nodegroups():
    site = SimpleNamespace(capacity=SimpleNamespace(system_nodes=None), settings=None)
    with pytest.raises(ValueError, match="cluster-autoscaler needs managed nodegroups and system nodes to run on"):
        cluster_autoscaler.ADD_ON.install(site)


def test_install_returns_what_each_add_on_built_in_the_plans_order():
    plan = InstallPlan.of(NODEGROUPS)
    # Each add-on's install replaced by one that returns its name: what the plan hands back is what the unit returned.
    stub = InstallPlan(plan.choices, tuple(replace(add_on, install=lambda site, name=add_on.name: name) for add_on in plan.add_ons))
    installed = stub.install(SimpleNamespace())
    assert [(add_on.name, built) for add_on, built in installed.built] == [(name, name) for name in names(plan)]


def test_the_runners_charts_wait_for_the_add_ons_that_name_them():
    plan = InstallPlan.of(NODEGROUPS)
    installed = Installed(tuple((add_on, add_on.name) for add_on in plan.add_ons))
    assert installed.before("gpu-checks") == ["device-plugin"]  # pods that ask for nvidia.com/gpu
    assert installed.before("sqs-credentials") == ["external-secrets"]  # External Secrets' SecretStore and ExternalSecret
    assert installed.before("queue-scaling") == ["keda"]  # KEDA's ScaledObject and TriggerAuthentication
    assert installed.before("runner") == installed.before("gpu-verifier-rbac") == installed.before("ecr-credential-refresh") == []
    # An add-on not installed is waited for by nothing.
    bare = InstallPlan.of(replace(NODEGROUPS, queue_autoscaling=False, device_plugin=False))
    assert Installed(tuple((add_on, add_on.name) for add_on in bare.add_ons)).before("queue-scaling") == []
