"""Day two: each setting changed on a deployed stack gives an update CloudFormation accepts, and nothing that holds data goes.

The pairs are in tests/transitions.py; the verdicts come from `make plan`'s engine (scripts/update_plan.py: the CDK CLI's
diff engine and CloudFormation's registry schemas). One worker synthesizes every configuration once and plans every pair
in one Node.js process.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest


from scripts.update_plan import ResourceChange
from settings.load import SETTING_NAMES
from tests.transitions import NOT_CLUSTER_SETTINGS, TRANSITIONS, Transition, plan_all, what_a_change_does

pytestmark = pytest.mark.xdist_group("transitions")

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture(scope="session")
def results(synth_root: Path, canary_home: Path) -> dict[str, list[ResourceChange]]:
    return plan_all(synth_root, canary_home)


def test_every_setting_of_the_table_is_changed_or_says_why_not():
    table = list(SETTING_NAMES)
    covered = {t.setting for t in TRANSITIONS}
    assert [s for s in table if s not in covered and s not in NOT_CLUSTER_SETTINGS] == []
    assert len({t.name for t in TRANSITIONS}) == len(TRANSITIONS)


@pytest.mark.parametrize("transition", [t for t in TRANSITIONS if not t.its_job], ids=lambda t: t.name)
def test_the_update_is_accepted_and_keeps_what_holds_data(transition: Transition, results):
    stopping = [c.sentence() for c in results[transition.name] if c.stops]
    assert stopping == []


# The ones the issue names: a change of each replaces what it must, and the replacement comes up before the old one goes.
@pytest.mark.parametrize("setting, replaced", [
    ("nodeType", {"GpuNodesNodegroup"}),
    ("capacityType", {"GpuNodesNodegroup"}),
    ("gpuAmiType", {"GpuNodesNodegroup"}),
    ("systemNodeType", {"SystemNodesNodegroup"}),
    ("nodeVolumeSize", set()),  # a new launch template version: EKS rolls the nodes, the nodegroup stays
])
def test_node_changes_replace_the_nodegroup_under_a_new_name(setting, replaced, results):
    changes = results[setting]
    replacements = {c for c in changes if c.action == "replace" and c.type == "AWS::EKS::Nodegroup"}
    assert {re.sub(r"[0-9A-F]{8}$", "", c.logical_id) for c in replacements} == replaced
    for change in replacements:
        assert "NodegroupName" in change.replacing and not change.fails
        assert change.old_name.rsplit("-", 1)[0] == change.new_name.rsplit("-", 1)[0]  # the prefix a user chose stays


def test_moving_one_minor_up_updates_the_control_plane_and_nodes_in_place(results):
    for name in ("kubernetesVersion-1.34-1.35", "kubernetesVersion-1.35-1.36"):
        by_type = {c.type: c for c in results[name] if c.type in ("AWS::EKS::Cluster", "AWS::EKS::Nodegroup")}
        assert by_type["AWS::EKS::Cluster"].action == "update" and by_type["AWS::EKS::Nodegroup"].action == "update"


def test_a_cluster_name_change_is_stopped(results):
    cluster = next(c for c in results["clusterName"] if c.type == "AWS::EKS::Cluster")
    assert cluster.stops and cluster.name_change == "test-eks -> gpu-lab"


def test_a_queue_taken_out_is_kept_with_its_dead_letters(results):
    kept = sorted((c.type, c.logical_id) for c in results["queues-one-fewer"] if c.action == "keep")
    assert [t for t, _ in kept] == ["AWS::SQS::Queue", "AWS::SQS::Queue"]
    assert not [c for c in results["queues-one-fewer"] if c.action == "delete" and c.type == "AWS::SQS::Queue"]


def test_the_readme_says_what_each_change_does(results):
    section = README.read_text().split("\n### What a change does\n", 1)[1].split("\n#", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("|"))
    assert table == what_a_change_does(results)


def test_the_matrix_is_planned_in_one_worker(request):
    # xdist_group keeps this module (and the configurations it synthesizes) on one worker only where pytest still reads the
    # node id xdist rewrites: pytest 8 (requirements-dev.txt). Under pytest 9 the groups split and every worker synthesizes.
    if request.config.getoption("dist", "no") == "loadgroup":
        assert request.node.nodeid.endswith("@transitions")
