"""Node-template tags reach the nodegroup's Auto Scaling group through two SDK calls with least-privilege policies."""
from __future__ import annotations

import json

import aws_cdk as cdk
import pytest

from stacks.addons.cluster_autoscaler.node_template_tags import NodeTemplateTags, gpu_node_template_tags
from tests.stacks.addons.bare_stack import ENV, synth_with_nag

GPU_TAGS = {
    "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
    "k8s.io/cluster-autoscaler/node-template/label/role": "gpu",
    "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
}
ASG = "eks-gpu-1234-abcd"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    def build(stack):
        return {
            "gpu": NodeTemplateTags(stack, "GpuTags", cluster_name="studio", nodegroup_name="studio-gpu", tags=GPU_TAGS),
            # A second user of the shared SDK-call function: its acknowledgments must not clash.
            "system": NodeTemplateTags(stack, "SystemTags", cluster_name="studio", nodegroup_name="studio-system",
                                       tags={"k8s.io/cluster-autoscaler/node-template/label/role": "system"}),
        }
    return synth_with_nag(tmp_path_factory.mktemp("node-template-tags"), build)


def _logical_id(stack, sdk_call, child="Resource"):
    construct = sdk_call.node.find_child(child)
    return stack.get_logical_id(construct.node.default_child or construct)


def _resource(synthesized, sdk_call, child="Resource"):
    return synthesized.template["Resources"][_logical_id(synthesized.stack, sdk_call, child)]


def _call(synthesized, sdk_call, which):
    """The SDK call as the handler receives it, the Auto Scaling group name standing in for the describe's output."""
    value = _resource(synthesized, sdk_call)["Properties"][which]
    if isinstance(value, dict):
        value = "".join(part if isinstance(part, str) else ASG for part in value["Fn::Join"][1])
    return json.loads(value)


def _statements(synthesized, sdk_call):
    return _resource(synthesized, sdk_call, "CustomResourcePolicy")["Properties"]["PolicyDocument"]["Statement"]


# --- the tag map ------------------------------------------------------------------------------------

def test_gpu_node_template_tags_use_the_documented_keys_and_values():
    assert gpu_node_template_tags(gpus=1, labels={"role": "gpu"}, taints=[("nvidia.com/gpu", "true", "NoSchedule")]) == GPU_TAGS


def test_gpu_count_is_a_string_and_several_labels_and_taints_each_get_a_tag():
    tags = gpu_node_template_tags(gpus=8, labels={"a": "1", "b.example.com/c": "2"},
                                  taints=[("x", "y", "NoExecute"), ("z", "", "PreferNoSchedule")])
    assert tags == {
        "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
        "k8s.io/cluster-autoscaler/node-template/label/a": "1",
        "k8s.io/cluster-autoscaler/node-template/label/b.example.com/c": "2",
        "k8s.io/cluster-autoscaler/node-template/taint/x": "y:NoExecute",
        "k8s.io/cluster-autoscaler/node-template/taint/z": ":PreferNoSchedule",
    }


def test_eks_spelling_of_a_taint_effect_is_refused():
    with pytest.raises(ValueError, match=r"taint nvidia.com/gpu: effect must be one of NoSchedule, PreferNoSchedule, NoExecute "
                                         r"\(Kubernetes spelling\), got 'NO_SCHEDULE'"):
        gpu_node_template_tags(gpus=1, labels={}, taints=[("nvidia.com/gpu", "true", "NO_SCHEDULE")])


def test_zero_gpus_is_refused():
    with pytest.raises(ValueError, match="gpus must be at least 1, got 0"):
        gpu_node_template_tags(gpus=0, labels={}, taints=[])


def test_only_node_template_tags_may_be_set():
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    with pytest.raises(ValueError, match=r"only k8s.io/cluster-autoscaler/node-template/... tags may be set here, not "
                                         r"eks:nodegroup-name, k8s.io/cluster-autoscaler/enabled"):
        NodeTemplateTags(stack, "Tags", cluster_name="c", nodegroup_name="n",
                         tags={"k8s.io/cluster-autoscaler/enabled": "false", "eks:nodegroup-name": "x"})


# --- the two calls ----------------------------------------------------------------------------------

def test_describe_finds_the_auto_scaling_group_of_the_nodegroup(synthesized):
    expected = {
        "service": "EKS", "action": "describeNodegroup",
        "parameters": {"clusterName": "studio", "nodegroupName": "studio-gpu"},
        "outputPaths": ["nodegroup.resources.autoScalingGroups.0.name"],
        "physicalResourceId": {"id": "studio/studio-gpu"},
    }
    assert _call(synthesized, synthesized.gpu.describe, "Create") == expected
    assert _call(synthesized, synthesized.gpu.describe, "Update") == expected


def test_every_tag_is_applied_unpropagated_on_create_and_on_update(synthesized):
    expected = {
        "service": "AutoScaling", "action": "createOrUpdateTags",
        "parameters": {"Tags": [
            {"ResourceId": ASG, "ResourceType": "auto-scaling-group", "Key": key, "Value": value, "PropagateAtLaunch": False}
            for key, value in sorted(GPU_TAGS.items())]},
        "physicalResourceId": {"id": ASG},
    }
    assert _call(synthesized, synthesized.gpu.apply, "Create") == expected
    assert _call(synthesized, synthesized.gpu.apply, "Update") == expected  # tags in the call: a changed map updates


def test_the_group_name_comes_from_the_describe_call(synthesized):
    describe_id = _logical_id(synthesized.stack, synthesized.gpu.describe)
    expected = {"Fn::GetAtt": [describe_id, "nodegroup.resources.autoScalingGroups.0.name"]}
    assert synthesized.stack.resolve(synthesized.gpu.auto_scaling_group_name) == expected
    parts = _resource(synthesized, synthesized.gpu.apply)["Properties"]["Update"]["Fn::Join"][1]
    assert [p for p in parts if not isinstance(p, str)] == [expected] * (len(GPU_TAGS) + 1)


def test_each_construct_tags_its_own_nodegroup(synthesized):
    assert _call(synthesized, synthesized.system.describe, "Create")["parameters"] == {
        "clusterName": "studio", "nodegroupName": "studio-system"}
    assert [t["Key"] for t in _call(synthesized, synthesized.system.apply, "Create")["parameters"]["Tags"]] == [
        "k8s.io/cluster-autoscaler/node-template/label/role"]


# --- least privilege --------------------------------------------------------------------------------

def test_describe_may_read_only_this_nodegroup(synthesized):
    assert _statements(synthesized, synthesized.gpu.describe) == [{
        "Action": "eks:DescribeNodegroup", "Effect": "Allow",
        "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                       ":eks:us-west-2:123456789012:nodegroup/studio/studio-gpu/*"]]},
    }]


def test_tagging_is_limited_to_this_clusters_groups_and_node_template_keys(synthesized):
    assert _statements(synthesized, synthesized.gpu.apply) == [{
        "Action": "autoscaling:CreateOrUpdateTags", "Effect": "Allow", "Resource": "*",
        "Condition": {
            "StringEquals": {"autoscaling:ResourceTag/eks:cluster-name": "studio"},
            "ForAllValues:StringLike": {"aws:TagKeys": ["k8s.io/cluster-autoscaler/node-template/*"]},
        },
    }]


def test_nag_findings_are_all_acknowledged_at_the_narrowest_construct(synthesized):
    (plugin,) = synthesized.report["pluginReports"]
    assert plugin.get("violations", []) == []
    suppressed = {(v["ruleName"], c["constructPath"]) for v in plugin["suppressedViolations"] for c in v["violatingConstructs"]}
    nodegroup = "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:us-west-2:123456789012:nodegroup/studio/{}/*]"
    assert suppressed == {
        (nodegroup.format("studio-gpu"), "Test/GpuTags/FindAutoScalingGroup/CustomResourcePolicy/Resource"),
        (nodegroup.format("studio-system"), "Test/SystemTags/FindAutoScalingGroup/CustomResourcePolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Test/GpuTags/TagAutoScalingGroup/CustomResourcePolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "Test/SystemTags/TagAutoScalingGroup/CustomResourcePolicy/Resource"),
        ("AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
         "Test/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole/Resource"),
    }
