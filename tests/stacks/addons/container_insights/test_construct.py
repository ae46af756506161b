"""The amazon-cloudwatch-observability add-on in a bare stack: Pod Identity role, values, log groups, what it waits for.

Values checked against the chart amazon-cloudwatch-observability-6.2.0 (github.com/aws-observability/helm-charts,
values.yaml: root `tolerations`, `dcgmExporter.enabled`, `dcgmExporter.tolerations` via the common tolerations helper,
`neuronMonitor.enabled`); the role and service account from the CloudWatch user guide, "Quick start with the Amazon
CloudWatch Observability EKS add-on" (Pod Identity from add-on 3.1.0; CloudWatchAgentServerPolicy; cloudwatch-agent
in amazon-cloudwatch).
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from stacks.addons.container_insights import container_insights_values
from stacks.addons.container_insights.construct import ContainerInsights
from stacks.capacity import NodeTaint
from tests.stacks.addons.bare_stack import CLUSTER_NAME, of_type, one, pod_identity_target, synth_bare

GPU_TAINT = NodeTaint("nvidia.com/gpu", "true", "NoSchedule")
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    def build(stack, cluster, nodes):
        return ContainerInsights(stack, "Ci", cluster=cluster, cluster_name=CLUSTER_NAME, agent=None, nodes=[nodes],
                                 dcgm_exporter=False, gpu_taints=[GPU_TAINT])
    stack, insights, template = synth_bare(tmp_path_factory.mktemp("container-insights"), build)
    return SimpleNamespace(stack=stack, insights=insights, template=template)


def test_addon_values_leave_dcgm_to_the_node_monitoring_agent(bare):
    _, addon = one(bare.template, "AWS::EKS::Addon")
    props = addon["Properties"]
    assert (props["AddonName"], props["AddonVersion"]) == ("amazon-cloudwatch-observability", "v6.2.0-eksbuild.1")
    assert json.loads(props["ConfigurationValues"]) == {"tolerations": [{"operator": "Exists"}], "dcgmExporter": {"enabled": False},
                                                        "neuronMonitor": {"enabled": False}}


def test_pod_identity_for_the_cloudwatch_agent(bare):
    assert pod_identity_target(bare.template) == (CLUSTER_NAME, "amazon-cloudwatch", "cloudwatch-agent")
    _, role = one(bare.template, "AWS::IAM::Role")
    assert [json.dumps(arn) for arn in role["Properties"]["ManagedPolicyArns"]] == [json.dumps(
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/CloudWatchAgentServerPolicy"]]})]


def test_addon_waits_for_its_identity_log_groups_and_nodes(bare):
    (addon_id, addon), = of_type(bare.template, "AWS::EKS::Addon").items()
    association_id, _ = one(bare.template, "AWS::EKS::PodIdentityAssociation")
    groups = of_type(bare.template, "AWS::Logs::LogGroup")
    assert {association_id, *groups} <= set(addon["DependsOn"])
    assert bare.stack.node.find_child("Nodes") in bare.insights.addon.node.dependencies
    assert sorted(g["Properties"]["LogGroupName"] for g in groups.values()) == sorted(
        f"/aws/containerinsights/{CLUSTER_NAME}/{kind}" for kind in ("performance", "application", "dataplane", "host"))
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {30}


@pytest.mark.parametrize(("dcgm_exporter", "taints", "exporter"), [
    (False, [GPU_TAINT], {"enabled": False}),
    (True, [GPU_TAINT], {"enabled": True, "tolerations": [GPU_TOLERATION]}),  # aws/amazon-cloudwatch-agent-operator#290
    (True, [], {"enabled": True}),
])
def test_dcgm_exporter_only_as_the_one_dcgm_owner(dcgm_exporter, taints, exporter):
    values = container_insights_values(dcgm_exporter=dcgm_exporter, gpu_taints=taints)
    assert values["dcgmExporter"] == exporter
