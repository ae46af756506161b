"""cluster-autoscaler's policy: describes on *, scaling only on this cluster's groups, nodegroups of this cluster only."""
from __future__ import annotations

import json
from functools import partial
from types import SimpleNamespace

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from stacks.addons.cluster_autoscaler.policy import acknowledge_autoscaler_policy, cluster_autoscaler_policy_statements
from tests.stacks.addons.bare_stack import ENV, synth_with_nag



def _role_with_the_policy(stack, *, acknowledged):
    role = iam.Role(stack, "Autoscaler", assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))
    for statement in cluster_autoscaler_policy_statements(cluster_name="studio", stack=stack):
        role.add_to_policy(statement)
    if acknowledged:
        acknowledge_autoscaler_policy(role, cluster_name="studio")
    return {"role": role}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    synthesized = synth_with_nag(tmp_path_factory.mktemp("autoscaler-policy"), partial(_role_with_the_policy, acknowledged=True))
    role = {"Ref": synthesized.stack.get_logical_id(synthesized.role.node.default_child)}
    (policy,) = [r["Properties"] for r in synthesized.template["Resources"].values()
                 if r["Type"] == "AWS::IAM::Policy" and r["Properties"]["Roles"] == [role]]
    return SimpleNamespace(statements=policy["PolicyDocument"]["Statement"], report=synthesized.report)


def test_the_policy_is_the_readmes_full_features_policy_limited_to_this_cluster(synthesized):
    """kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, "Full Cluster Autoscaler Features Policy
    (Recommended)", identical at tags cluster-autoscaler-1.34.5, -1.35.2 and -1.36.1: these actions and no others
    (autoscaling:DescribeTags, which an earlier version of this policy had, is neither there nor called by that code)."""
    assert synthesized.statements == [
        {
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Condition": {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/studio": "owned"}},
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Action": "eks:DescribeNodegroup",
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":eks:us-west-2:123456789012:nodegroup/studio/*/*"]]},
        },
    ]


def test_only_the_wildcard_findings_are_acknowledged_on_the_role(synthesized):
    (plugin,) = synthesized.report["pluginReports"]
    assert plugin.get("violations", []) == []
    suppressed = {(v["ruleName"], c["constructPath"]) for v in plugin["suppressedViolations"] for c in v["violatingConstructs"]}
    assert suppressed == {
        ("AwsSolutions-IAM5[Resource::*]", "Test/Autoscaler/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:us-west-2:123456789012:nodegroup/studio/*/*]",
         "Test/Autoscaler/DefaultPolicy/Resource"),
    }
    reasons = {v["ruleName"]: v for v in plugin["suppressedViolations"]}
    assert "k8s.io/cluster-autoscaler/studio=owned" in json.dumps(reasons["AwsSolutions-IAM5[Resource::*]"])


def test_without_the_acknowledgment_cdk_nag_stops_the_synth(tmp_path):
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        synth_with_nag(tmp_path, partial(_role_with_the_policy, acknowledged=False))


def test_a_token_cluster_name_is_refused():
    stack = cdk.Stack(cdk.App(), "Test", env=ENV)
    with pytest.raises(ValueError, match="cluster_name must be the literal cluster name, not a token"):
        cluster_autoscaler_policy_statements(cluster_name=cdk.Aws.STACK_NAME, stack=stack)
