"""The IAM permissions cluster-autoscaler needs on AWS, limited to this cluster's Auto Scaling groups and nodegroups.

The actions are those of the "Full Cluster Autoscaler Features Policy (Recommended)" in kubernetes/autoscaler's
cluster-autoscaler/cloudprovider/aws/README.md, the same at every tag pinned in stacks/addons/cluster_autoscaler
(cluster-autoscaler-1.34.5, -1.35.2, -1.36.1): auto-discovery, instance types from the EC2 API, scale from zero with
EKS nodegroup labels and taints. Scaling actions are limited by the tag EKS puts on every managed nodegroup's Auto
Scaling group: `k8s.io/cluster-autoscaler/<cluster>` = `owned`.
"""
from __future__ import annotations

from aws_cdk import Stack, Token, aws_iam as iam
from constructs import IConstruct

from stacks.addons.cluster_autoscaler.node_template_tags import nodegroup_arn
from stacks.nag import acknowledge, wildcard_resource_finding

# Read-only calls with no resource-level permissions in IAM: they only take Resource "*".
DESCRIBE_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
SCALING_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")
OWNED = "owned"


def cluster_owner_tag(cluster_name: str) -> str:
    return f"k8s.io/cluster-autoscaler/{cluster_name}"


def cluster_autoscaler_policy_statements(*, cluster_name: str, stack: Stack) -> list[iam.PolicyStatement]:
    """Describe anything (IAM allows no less); scale only this cluster's groups; read only this cluster's nodegroups."""
    if Token.is_unresolved(cluster_name):
        # It becomes part of a condition key, and a policy's keys cannot be CloudFormation references.
        raise ValueError("cluster_name must be the literal cluster name, not a token")
    return [
        iam.PolicyStatement(actions=list(DESCRIBE_ACTIONS), resources=["*"]),
        iam.PolicyStatement(
            actions=list(SCALING_ACTIONS),
            resources=["*"],  # group ARNs hold an id generated at creation: the tag condition does the limiting
            conditions={"StringEquals": {f"aws:ResourceTag/{cluster_owner_tag(cluster_name)}": OWNED}},
        ),
        # Labels and taints of a nodegroup scaled to zero, beyond the 50-tag limit of Auto Scaling groups.
        iam.PolicyStatement(actions=["eks:DescribeNodegroup"],
                            resources=[nodegroup_arn(stack, cluster_name=cluster_name, nodegroup_name="*")]),
    ]


def acknowledge_autoscaler_policy(role: IConstruct, *, cluster_name: str) -> None:
    """Acknowledges the wildcard findings of those statements on the role (or policy) that holds them."""
    stack = Stack.of(role)
    acknowledge(role, "IAM5[Resource::*]",
                "the Auto Scaling and EC2 describe calls cluster-autoscaler makes have no resource-level permissions and "
                "only take Resource *; SetDesiredCapacity and TerminateInstanceInAutoScalingGroup are on * only because "
                "group ARNs hold a generated id, and are limited to groups tagged "
                f"{cluster_owner_tag(cluster_name)}={OWNED}, which EKS sets on this cluster's managed nodegroups")
    acknowledge(role, wildcard_resource_finding(stack, nodegroup_arn(stack, cluster_name=cluster_name, nodegroup_name="*")),
                "eks:DescribeNodegroup on this cluster's nodegroups only: the wildcards stand for the nodegroup name "
                "and the id EKS appends to nodegroup ARNs")
