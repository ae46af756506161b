"""The EKS node monitoring agent add-on in a bare stack: its version, its DCGM server's toleration, no identity.

eks-node-monitoring-agent v1.7.0 (github.com/aws/eks-node-monitoring-agent): charts/eks-node-monitoring-agent/values.yaml
gives `nodeAgent.tolerations: [{operator: Exists}]` but `dcgmAgent.tolerations: []` (aws/containers-roadmap#2567);
charts/configuration.schema.json accepts `dcgmAgent.tolerations`; the chart's ServiceAccount carries no role.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from stacks.addons.node_monitoring_agent import node_monitoring_agent_values
from stacks.addons.node_monitoring_agent.construct import NodeMonitoringAgent
from stacks.capacity import NodeTaint
from tests.stacks.addons.bare_stack import CLUSTER_NAME, of_type, one, synth_bare

GPU_TAINT = NodeTaint("nvidia.com/gpu", "true", "NoSchedule")


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    def build(stack, cluster, nodes):
        return NodeMonitoringAgent(stack, "Nma", cluster=cluster, nodes=[nodes], gpu_taints=[GPU_TAINT])
    stack, agent, template = synth_bare(tmp_path_factory.mktemp("nma"), build)
    return SimpleNamespace(stack=stack, agent=agent, template=template)


def test_addon_is_pinned_and_tolerates_the_gpu_taint_for_dcgm(bare):
    _, addon = one(bare.template, "AWS::EKS::Addon")
    props = addon["Properties"]
    assert (props["AddonName"], props["AddonVersion"], props["ClusterName"]) == ("eks-node-monitoring-agent", "v1.7.0-eksbuild.1", CLUSTER_NAME)
    assert json.loads(props["ConfigurationValues"]) == {
        "dcgmAgent": {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}}


def test_needs_no_aws_identity(bare):
    assert of_type(bare.template, "AWS::IAM::Role") == {}
    assert of_type(bare.template, "AWS::EKS::PodIdentityAssociation") == {}


def test_waits_for_the_nodes(bare):
    assert bare.stack.node.find_child("Nodes") in bare.agent.addon.node.dependencies


def test_untainted_gpu_nodes_need_no_values():
    assert node_monitoring_agent_values(gpu_taints=[]) == {}
