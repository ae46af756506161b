"""The capacity seam's second shape, built in a bare stack: what it answers, and the NodePool it applies."""
from __future__ import annotations

import aws_cdk as cdk
import pytest

from stacks.capacity import Capacity, NodeTaint
from stacks.capacity.automode_capacity import AutoModeCapacity, GpuNodePool
from stacks.manifests import ManifestApplier
from tests.stacks.addons.bare_stack import ENV, imported_cluster

POOL = GpuNodePool(name="studio", instance_types=["g5.xlarge"], capacity_type="ON_DEMAND", max_gpus=3)


@pytest.fixture(scope="module")
def built():
    stack = cdk.Stack(cdk.App(), "Bare", env=ENV)
    manifests = ManifestApplier(stack, "Workloads", cluster=imported_cluster(stack))
    return stack, manifests, AutoModeCapacity(manifests=manifests, gpu=POOL)


def test_it_is_a_capacity(built):
    assert isinstance(built[2], Capacity)


def test_the_node_pool_is_what_is_ready_and_goes_through_the_applier_first(built):
    stack, manifests, capacity = built
    assert capacity.ready == [capacity.node_pool]
    assert [applied.file_name for applied in manifests.applied] == ["00-gpu-node-pool.k8s.yaml"]
    objects = {(o["kind"], o["metadata"]["name"]): o for o in manifests.applied[0].chart.to_json()}
    assert list(objects) == [("NodePool", "studio")]
    assert objects["NodePool", "studio"]["spec"]["limits"] == {"nvidia.com/gpu": "3"}
    assert capacity.node_pool.node.path == "Bare/Workloads/GpuNodePoolManifest"


def test_gpu_nodes_are_labelled_and_tainted_like_the_nodegroups(built):
    capacity = built[2]
    assert capacity.gpu_node_labels == {"nvidia.com/gpu.present": "true"}
    assert capacity.gpu_taints == [NodeTaint("nvidia.com/gpu", "true", "NoSchedule")]


def test_auto_mode_brings_the_pod_identity_agent(built):
    assert built[2].pod_identity_agent is None


def test_add_ons_go_to_the_built_in_system_pool_and_tolerate_its_taint(built):
    # set-builtin-node-pools.adoc: the `system` pool carries a CriticalAddonsOnly taint
    capacity = built[2]
    assert capacity.system_node_selector == {"karpenter.sh/nodepool": "system"}
    assert capacity.system_tolerations == [{"key": "CriticalAddonsOnly", "operator": "Exists"}]
