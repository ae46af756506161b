"""The lines the synth prints about choices the settings made: computed from the settings alone, no construct built."""
from __future__ import annotations

from settings import load_settings, user_notes


SYSTEM_NODES = "note: system nodes: "


def notes(**context: str) -> list[str]:
    """The notes besides the system-node check, which every configuration with system nodes prints (tests/test_system_nodes.py)."""
    return [line for line in user_notes(load_settings(context, {})) if not line.startswith(SYSTEM_NODES)]


def test_defaults_print_only_the_system_node_check():
    assert user_notes(load_settings({}, {})) == [
        "note: system nodes: 2 x t4g.medium hold the 13 system pods (865m CPU, 815Mi requested) with one node lost: "
        "1 x (1930m, 3198Mi, 17 pods)"]
    assert notes() == []


def test_bottlerocket_runs_its_own_device_plugin():
    assert notes(gpuAmiType="BOTTLEROCKET_x86_64_NVIDIA") == [
        "note: no NVIDIA device plugin DaemonSet: BOTTLEROCKET_x86_64_NVIDIA nodes run their own"]


def test_scale_to_zero_without_queues_never_reaches_zero():
    assert notes(nodes="0", nodesMin="0") == [
        "note: nodesMin=0 but 1 runner pod(s) always want a GPU, so GPU nodes never reach zero; list queues= so KEDA can "
        "scale the runner to zero"]


def test_keda_owns_the_replica_count_with_queues():
    assert notes(nodes="0", nodesMin="0", nodesMax="4", queues="sqs_train", runnerReplicas="2") == [
        "note: runnerReplicas (2) is not applied: KEDA sets the runner's replicas from the queues (0 to 4)"]


# --- GPU health and observability (settings/observability.py) -------------------------------------

def test_without_the_node_monitoring_agent_gpu_faults_are_not_repaired():
    assert notes(nodeMonitoringAgent="false") == [
        "note: nodeMonitoringAgent=false: nothing watches GPU health, so node auto repair never replaces a node whose GPU "
        "failed; Container Insights' DCGM exporter owns DCGM and graphs GPU utilization"]


def test_the_agent_checks_no_gpu_on_arm64():
    # eks-node-monitoring-agent v1.7.0, monitors/nvidia/monitor.go: NVIDIA monitoring is disabled on arm64; and its
    # dcgm-server DaemonSet, which holds the DCGM host engine, runs on amd64 nodes only (shared/REFERENCE.md, round three)
    assert notes(nodeType="g5g.xlarge", gpuAmiType="AL2023_ARM_64_NVIDIA", runnerMemory="5Gi",
                 runnerImage="registry.example.com/studio-go-runner-arm64:0.14.2") == [
        "note: the node monitoring agent checks no NVIDIA GPU on arm64 nodes (agent v1.7.0, whose dcgm-server runs on amd64 "
        "only): GPU faults there are not repaired, "
        "and make verify does not require AcceleratedHardwareReady"]


def test_alarm_mail_needs_a_confirmed_subscription():
    assert notes(alarmEmail="ops@example.com") == [
        "note: alarmEmail: confirm the subscription mail AWS sends to ops@example.com after the deploy, or no alarm reaches you"]
