"""The idle floor: every system pod a configuration installs, whether they fit with one system node lost, and the default type."""
from __future__ import annotations

import cdk8s
import pytest

from charts.ecr_credential_refresh import EcrCredentialRefreshChart
from domain.system_nodes import GRAVITON_CHOICES, SYSTEM_NODE_TYPES, cheapest_fit, fit
from domain.system_pods import ECR_REFRESH, SystemPod
from settings import SettingError, load_settings
from stacks.addons import Choices
from stacks.install_plan import InstallPlan
from tests.setting_errors import error_line
from tests.stacks.addons.footprint import requested

def system_pods(*, cluster_autoscaler: bool, keda: bool, external_secrets: bool, ecr_refresh: bool, node_monitoring_agent: bool = False,
                container_insights: bool = False) -> list[SystemPod]:
    """What the install plan of a managed-nodegroup configuration with these add-ons runs on its system nodes."""
    return InstallPlan.of(Choices(kubernetes_version="1.36", automode=False, autoscaling=cluster_autoscaler, queue_autoscaling=keda,
                                  sqs_credentials="secretsmanager" if external_secrets else "none", device_plugin=True,
                                  ecr_refresh=ecr_refresh, node_monitoring_agent=node_monitoring_agent,
                                  container_insights=container_insights)).system_pods


# --- the figures are the ones the charts set (each add-on's own: tests/stacks/addons/<name>/test_values.py) ----------

def test_the_ecr_refresh_pod_asks_its_largest_container():
    chart = EcrCredentialRefreshChart(cdk8s.App(), "ecr", namespace="default", registry="123456789012.dkr.ecr.us-west-2.amazonaws.com",
                                      region="us-west-2")
    job = next(o for o in chart.to_json() if o["kind"] == "CronJob")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    containers = [requested(c["resources"]) for c in pod["containers"]]
    init = [requested(c["resources"]) for c in pod.get("initContainers", [])]
    expected = (max(sum(c for c, _ in containers), *(c for c, _ in init)), max(sum(m for _, m in containers), *(m for _, m in init)))
    assert (ECR_REFRESH.cpu_millis, ECR_REFRESH.memory_mib) == expected


def test_every_system_image_is_published_for_arm64():
    everything = system_pods(cluster_autoscaler=True, keda=True, external_secrets=True, ecr_refresh=True,
                             node_monitoring_agent=True, container_insights=True)
    assert all(pod.arm64 and pod.source for pod in everything)


def test_observability_agents_run_on_every_system_node():
    # 6 DaemonSet pods per node and CoreDNS, the autoscaler, External Secrets and the CloudWatch operator: 13 on the node left
    pods = system_pods(cluster_autoscaler=True, keda=False, external_secrets=True, ecr_refresh=False,
                       node_monitoring_agent=True, container_insights=True)
    assert not fit("t4g.small", 2, pods).fits and cheapest_fit(2, pods).node_type == "t4g.medium"
    assert cheapest_fit(2, pods).pods == 13


# --- what a node offers ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "max_pods", "cpu", "memory"), [
    ("t4g.small", 11, 1930, int((2048 - 376 - 100) * 0.9)),  # kube-reserved 11 x 11 + 255 = 376 MiB
    ("t4g.medium", 17, 1930, int((4096 - 442 - 100) * 0.9)),
    ("t3.large", 35, 1930, int((8192 - 640 - 100) * 0.9)),
    ("t3.xlarge", 58, 3920, int((16384 - 893 - 100) * 0.9)),  # 60 + 10 + 5 + 5 millicores kept
])
def test_allocatable_follows_the_eks_ami(name, max_pods, cpu, memory):
    node = SYSTEM_NODE_TYPES[name]
    assert (node.max_pods, node.cpu_millis, node.memory_mib) == (max_pods, cpu, memory)


# --- the fit ----------------------------------------------------------------------------------------------------------

WITHOUT_OBSERVABILITY = {"nodeMonitoringAgent": "false", "containerInsights": "false"}


def test_without_observability_two_t4g_small_hold_the_default_with_one_lost():
    s = load_settings(WITHOUT_OBSERVABILITY, {})
    assert s.system_instance_type == "t4g.small" == GRAVITON_CHOICES[0]
    assert (s.system_fit.pods, s.system_fit.cpu_millis, s.system_fit.memory_mib) == (9, 455, 568)


def test_keda_adds_three_pods_and_so_needs_a_t4g_medium():
    s = load_settings({**WITHOUT_OBSERVABILITY, "queues": "sqs_a", "nodesMin": "0", "nodes": "0"}, {})
    assert (s.system_instance_type, s.system_fit.pods) == ("t4g.medium", 12)


def test_the_default_with_its_health_and_observability_agents_needs_t4g_medium():
    s = load_settings({}, {})
    assert s.system_instance_type == "t4g.medium"
    assert (s.system_fit.pods, s.system_fit.cpu_millis, s.system_fit.memory_mib) == (13, 865, 815)
    assert load_settings({"queues": "sqs_a", "nodesMin": "0", "nodes": "0"}, {}).system_fit.pods == 16


def test_a_type_too_small_is_refused():
    assert error_line({**WITHOUT_OBSERVABILITY, "queues": "sqs_a", "systemNodeType": "t3.small"}) == (
        "error: systemNodeType: 2 x t3.small cannot hold the system pods with one node lost: external-secrets-cert-controller "
        "finds no node with 10m CPU, 32Mi and a pod slot left. Use t4g.medium or larger, or raise systemNodes.")


@pytest.mark.parametrize("node_type", ["c7g.large", "t3.nano", "mac1.metal", "g5.xlarge"])
def test_a_type_outside_the_table_is_refused_as_unchecked(node_type):
    # A type the table lacks could not be checked: t3.nano holds 4 pods, and 13 system pods were once accepted on it.
    with pytest.raises(SettingError) as raised:
        load_settings({"systemNodeType": node_type}, {})
    assert raised.value.line.startswith(f"error: systemNodeType: {node_type} is not a type whose pod slots, CPU and memory "
                                        "this project knows (domain/system_nodes.py)")


def test_a_system_node_type_without_system_nodes_is_refused():
    with pytest.raises(SettingError) as raised:
        load_settings({"systemNodeType": "t4g.small", "systemNodes": "0", "autoscaling": "false"}, {})
    assert raised.value.line == ("error: systemNodeType: is set (t4g.small) but systemNodes is 0: there are no system nodes. "
                                 "Drop systemNodeType, or set systemNodes to 1 or more.")


def test_one_system_node_has_none_to_spare():
    s = load_settings({"systemNodes": "1"}, {})
    assert "on its only node (none to spare)" in s.system_fit.line()


def test_no_system_nodes_or_auto_mode_need_no_check():
    assert load_settings({"systemNodes": "0", "autoscaling": "false"}, {}).system_fit is None
    assert load_settings({"capacity": "automode"}, {}).system_fit is None


def test_x86_is_chosen_when_an_image_lacks_arm64():
    pods = [*system_pods(cluster_autoscaler=True, keda=False, external_secrets=True, ecr_refresh=False),
            SystemPod("amd64-only", 1, 10, 10, False, "a test image")]
    assert cheapest_fit(2, pods).node_type == "t3a.small"


def test_memory_packs_pod_by_pod():
    big = SystemPod("big", 2, 10, 1000, True, "test")
    assert fit("t4g.small", 2, [big]).why_not == "big finds no node with 10m CPU, 1000Mi and a pod slot left"
    assert fit("t4g.small", 3, [big]).fits
