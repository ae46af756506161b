"""The lines the synth prints about choices the settings made: computed from the settings alone, no construct built."""
from __future__ import annotations

from settings import load_settings, user_notes


def notes(**context: str) -> list[str]:
    return user_notes(load_settings(context, {}))


def test_defaults_need_no_note():
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
