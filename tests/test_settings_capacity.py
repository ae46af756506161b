"""capacity=nodegroups|automode: the default, what Auto Mode refuses with one line each, and what it changes."""
from __future__ import annotations

import pytest

from settings import load_settings, user_notes
from settings import nodes
from settings.capacity import AUTOMODE_GPU_FAMILIES
from settings.unused import AUTOMODE_NODE_DISK_GIB
from tests.conftest import FIXTURES
from tests.setting_errors import error_line

AUTO = {"capacity": "automode"}


def test_nodegroups_is_the_default_and_automode_is_spelled_either_way():
    assert load_settings({}, {}).node.capacity == "nodegroups"
    assert load_settings({"capacity": " AutoMode "}, {}).node.automode


def test_an_unknown_shape_is_refused():
    assert error_line({"capacity": "fargate"}) == "error: capacity: 'fargate' is not a capacity shape. Use nodegroups or automode."


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("gpuAmiType", "BOTTLEROCKET_x86_64_NVIDIA",
     "Auto Mode picks and patches the GPU AMI itself (its own NVIDIA driver and device plugin). Leave gpuAmiType unset"),
    ("systemNodes", "2", "Auto Mode runs add-ons on its built-in system node pool, sized to what runs there. Leave systemNodes unset"),
    ("systemNodeType", "t4g.medium", "Auto Mode picks the system node pool's instances itself. Leave systemNodeType unset"),
    ("sshPublicKey", str(FIXTURES / "id_ed25519.pub"),
     "Auto Mode nodes allow no SSH or SSM access (EKS user guide, automode-learn-instances). Leave sshPublicKey unset"),
    ("sshAllowedCidrs", "10.0.0.0/8", "Auto Mode nodes allow no SSH access. Leave sshAllowedCidrs unset"),
    ("nodeVolumeSize", "200", "Auto Mode nodes take their disk from the built-in NodeClass (80 GiB). "
                              "Leave nodeVolumeSize unset, or use capacity=nodegroups"),
    ("nodes", "1", "Auto Mode has no desired node count: it starts a GPU node for each runner pod that waits. "
                   "Leave nodes unset; nodesMin and nodesMax bound the runners"),
    # It was taken and ignored: Auto Mode brings its own plugin (no DaemonSet is applied there, charts/ and the stack).
    ("devicePluginVersion", "v0.19.0", "Auto Mode runs its own NVIDIA device plugin on GPU nodes (EKS user guide, "
                                       "auto-accelerated). Leave devicePluginVersion unset"),
])
def test_settings_auto_mode_has_no_place_for_are_refused_when_set(setting, value, message):
    assert error_line({**AUTO, setting: value}) == f"error: {setting}: is not used with capacity=automode: {message}."


def test_the_same_settings_are_fine_with_nodegroups():
    s = load_settings({"gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA", "systemNodes": "2", "nodeVolumeSize": "200", "nodes": "1"}, {})
    assert (s.node.gpu_ami_type, s.node.system_nodes, s.node.node_volume_size, s.node.nodes) == ("BOTTLEROCKET_x86_64_NVIDIA", 2, 200, 1)


def test_every_gpu_family_the_project_knows_is_one_auto_mode_launches():
    # EKS user guide, automode-learn-instances, "EKS Auto Mode supported instance reference", newest version: NVIDIA rows
    # p6-b200, p6-b300, p5, p5e, p5en, p4d, p4de, p3, p3dn, g7e, g6, gr6, g6e, g5, g5g, g4dn.
    assert set(AUTOMODE_GPU_FAMILIES) == {"p6-b200", "p6-b300", "p5", "p5e", "p5en", "p4d", "p4de", "p3", "p3dn", "g7e", "g6", "gr6",
                                          "g6e", "g5", "g5g", "g4dn"}
    load_settings({**AUTO, "nodeType": "p3.2xlarge", "runnerMemory": "12Gi"}, {})


def test_types_auto_mode_does_not_launch_are_refused(monkeypatch):
    monkeypatch.setattr(nodes, "AUTOMODE_GPU_FAMILIES", ("g5", "g6"))  # a list that leaves out a type the table knows
    assert error_line({**AUTO, "nodeType": "g4dn.xlarge"}) == (
        "error: nodeType: g4dn.xlarge is not a type EKS Auto Mode launches (GPU families: g5, g6). Pick one of those, or use "
        "capacity=nodegroups.")


def test_automode_needs_no_device_plugin_nor_cluster_autoscaler_but_keeps_keda():
    s = load_settings({**AUTO, "queues": "sqs_a", "nodesMin": "0"}, {})
    assert not s.node.device_plugin_needed and not s.installs_cluster_autoscaler
    assert s.autoscaling_enabled and s.queue_autoscaling
    assert s.gpu_node_disk_gib == AUTOMODE_NODE_DISK_GIB == 80


def test_the_scratch_must_fit_the_auto_mode_disk():
    assert error_line({**AUTO, "runnerScratchSize": "90Gi"}) == (
        "error: runnerScratchSize: 90Gi is not below the 80 GiB disk of an Auto Mode node, which also holds the images. "
        "Give at most 40Gi.")


def test_a_note_says_what_auto_mode_brings():
    assert user_notes(load_settings(AUTO, {}))[0] == (
        "note: capacity=automode: EKS Auto Mode runs the NVIDIA device plugin, and starts and stops GPU nodes for the "
        "runner's pods; no device plugin DaemonSet, no cluster-autoscaler")


def test_auto_mode_takes_an_arm64_gpu_type_by_its_own_architecture():
    """gpuAmiType is refused with Auto Mode, which picks the AMI itself, so its default (x86_64) says nothing about a g5g:
    the type's architecture counts, and only the runner image must match it. Auto Mode launches g5g, a Graviton (arm64)
    GPU family: EKS user guide, automode-learn-instances, "EKS Auto Mode supported instance reference" (the list
    AUTOMODE_GPU_FAMILIES in settings/capacity.py is taken from)."""
    arm = {**AUTO, "nodeType": "g5g.xlarge", "runnerMemory": "5Gi"}
    assert load_settings({**arm, "runnerImage": "registry.example.com/studio-go-runner-arm64:1.0"}, {}).node.gpu_architecture == "arm64"
    assert error_line(arm) == ("error: nodeType: g5g.xlarge is arm64, but quay.io/leafai/studio-go-runner:0.14.2 holds only x86_64 "
                               "runner binaries. Pick x86_64 node types, or build an arm64 runner image and set runnerImage.")
    assert error_line({"nodeType": "g5g.xlarge", "runnerMemory": "5Gi"}).startswith(
        "error: nodeType: g5g.xlarge is arm64 but gpuAmiType AL2023_x86_64_NVIDIA is x86_64.")  # a nodegroup runs its gpuAmiType
