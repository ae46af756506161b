"""The Auto Mode GPU NodePool, checked field by field against the EKS user guide and Karpenter's v1 API.

Sources: awsdocs/amazon-eks-user-guide latest/ug/automode/create-node-pool.adoc ("Sample NodePool", "EKS Auto Mode
Supported Labels": node.kubernetes.io/instance-type, karpenter.sh/capacity-type with `spot`/`on-demand`; "Disruption"),
auto-accelerated.adoc (nodeClassRef group eks.amazonaws.com, kind NodeClass, name default; consolidationPolicy
WhenEmpty); karpenter.sh/v1.0 concepts/disruption ("NodePool Disruption Budgets": reasons Drifted, Underutilized, Empty).
"""
from __future__ import annotations

import cdk8s
import pytest

from charts.gpu_node_pool import GpuNodePoolChart
from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TOLERATION

TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}


def _pool(**overrides):
    props = dict(name="studio", instance_types=["g5.xlarge", "g6.xlarge"], capacity_type="SPOT", max_gpus=4,
                 labels=GPU_NODE_SELECTOR, taints=[TAINT]) | overrides
    objects = GpuNodePoolChart(cdk8s.App(), "pool", **props).to_json()
    return next(o for o in objects if o["kind"] == "NodePool" and o["metadata"]["name"] == props["name"])


def test_it_is_a_karpenter_v1_node_pool_on_auto_modes_default_node_class():
    pool = _pool()
    assert pool["apiVersion"] == "karpenter.sh/v1"
    assert pool["spec"]["template"]["spec"]["nodeClassRef"] == {"group": "eks.amazonaws.com", "kind": "NodeClass", "name": "default"}


def test_instance_types_and_capacity_type_come_from_the_settings():
    requirements = {r["key"]: r for r in _pool()["spec"]["template"]["spec"]["requirements"]}
    assert requirements["node.kubernetes.io/instance-type"] == {"key": "node.kubernetes.io/instance-type", "operator": "In",
                                                                 "values": ["g5.xlarge", "g6.xlarge"]}
    assert requirements["karpenter.sh/capacity-type"]["values"] == ["spot"]
    on_demand = {r["key"]: r for r in _pool(capacity_type="ON_DEMAND")["spec"]["template"]["spec"]["requirements"]}
    assert on_demand["karpenter.sh/capacity-type"]["values"] == ["on-demand"]


def test_nodes_carry_the_label_and_taint_the_runner_and_smoke_test_select():
    template = _pool()["spec"]["template"]
    assert template["metadata"]["labels"] == GPU_NODE_SELECTOR
    assert template["spec"]["taints"] == [TAINT]
    # what the runner and the GPU checks tolerate (charts/gpu_scheduling.py) matches the taint
    assert (GPU_TOLERATION["key"], GPU_TOLERATION["effect"]) == (TAINT["key"], TAINT["effect"])


def test_the_gpu_limit_bounds_the_pool():
    assert _pool(max_gpus=6)["spec"]["limits"] == {"nvidia.com/gpu": "6"}
    with pytest.raises(ValueError, match="max_gpus must be at least 1, got 0"):
        _pool(max_gpus=0)


def test_only_empty_nodes_go_and_busy_runners_are_never_evicted_for_drift_or_consolidation():
    disruption = _pool()["spec"]["disruption"]
    assert disruption["consolidationPolicy"] == "WhenEmpty"
    # After KEDA's 120 s cooldown: the idle tail stays under 5 minutes (make latency CDK_ARGS="-c capacity=automode")
    assert disruption["consolidateAfter"] == "2m"
    assert {"nodes": "0", "reasons": ["Drifted", "Underutilized"]} in disruption["budgets"]
    assert {"nodes": "100%", "reasons": ["Empty"]} in disruption["budgets"]
