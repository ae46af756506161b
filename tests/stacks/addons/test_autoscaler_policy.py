"""cluster-autoscaler's policy: describes on *, scaling only on this cluster's groups, nodegroups of this cluster only."""
from __future__ import annotations

import json
from types import SimpleNamespace

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_iam as iam

from stacks.addons.autoscaler_policy import acknowledge_autoscaler_policy, cluster_autoscaler_policy_statements

ENV = cdk.Environment(account="123456789012", region="us-west-2")


def _role(stack, id):
    return iam.Role(stack, id, assumed_by=iam.ServicePrincipal("pods.eks.amazonaws.com"))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("autoscaler-policy")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Test", env=ENV)
    role = _role(stack, "Autoscaler")
    for statement in cluster_autoscaler_policy_statements(cluster_name="studio", stack=stack):
        role.add_to_policy(statement)
    acknowledge_autoscaler_policy(role, cluster_name="studio")
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    app.synth()  # raises RuntimeError (ValidationFailed) on an unacknowledged finding
    template = json.loads((outdir / "Test.template.json").read_text())
    policy = template["Resources"][stack.get_logical_id(role.node.find_child("DefaultPolicy").node.default_child)]
    return SimpleNamespace(statements=policy["Properties"]["PolicyDocument"]["Statement"],
                           report=json.loads((outdir / "validation-report.json").read_text()))


def test_the_policy_is_the_readmes_full_features_policy_limited_to_this_cluster(synthesized):
    assert synthesized.statements == [
        {
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
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
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Test", env=ENV)
    role = _role(stack, "Autoscaler")
    for statement in cluster_autoscaler_policy_statements(cluster_name="studio", stack=stack):
        role.add_to_policy(statement)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_a_token_cluster_name_is_refused():
    stack = cdk.Stack(cdk.App(), "Test", env=ENV)
    with pytest.raises(ValueError, match="cluster_name must be the literal cluster name, not a token"):
        cluster_autoscaler_policy_statements(cluster_name=cdk.Aws.STACK_NAME, stack=stack)
