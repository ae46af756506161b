"""Cluster-autoscaler node-template tags on a managed nodegroup's Auto Scaling group, so it can scale up from zero.

With no node running, cluster-autoscaler learns what a nodegroup's nodes would offer (GPUs, labels, taints) only
from `k8s.io/cluster-autoscaler/node-template/...` tags on the Auto Scaling group. EKS does not copy nodegroup tags
to the group, and the group's name exists only once the nodegroup does: so two SDK calls at deploy time find it and tag it.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence, cast

from aws_cdk import Stack, aws_iam as iam, custom_resources as cr
from constructs import Construct

from stacks.nag import acknowledge, managed_policy_finding, wildcard_resource_finding

NODE_TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template/"
GPU_RESOURCE_TAG = f"{NODE_TEMPLATE_PREFIX}resources/nvidia.com/gpu"
LABEL_TAG_PREFIX = f"{NODE_TEMPLATE_PREFIX}label/"
TAINT_TAG_PREFIX = f"{NODE_TEMPLATE_PREFIX}taint/"
# Kubernetes spelling: the autoscaler reads `<value>:<effect>` (EKS's API says NO_SCHEDULE, the tag must not).
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# EKS tags every managed nodegroup's Auto Scaling group with its cluster's name.
CLUSTER_NAME_TAG = "eks:cluster-name"
# The Auto Scaling group's name as DescribeNodegroup returns it.
AUTO_SCALING_GROUP_NAME_PATH = "nodegroup.resources.autoScalingGroups.0.name"


def gpu_node_template_tags(*, gpus: int, labels: Mapping[str, str], taints: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """The tags that describe a GPU node to cluster-autoscaler; each taint is `(key, value, effect)` in Kubernetes spelling."""
    if gpus < 1:
        raise ValueError(f"gpus must be at least 1, got {gpus}")
    tags = {GPU_RESOURCE_TAG: str(gpus)}
    tags.update({f"{LABEL_TAG_PREFIX}{key}": value for key, value in labels.items()})
    for key, value, effect in taints:
        if effect not in TAINT_EFFECTS:
            raise ValueError(f"taint {key}: effect must be one of {', '.join(TAINT_EFFECTS)} (Kubernetes spelling), got {effect!r}")
        tags[f"{TAINT_TAG_PREFIX}{key}"] = f"{value}:{effect}"
    return tags


def nodegroup_arn(stack: Stack, *, cluster_name: str, nodegroup_name: str) -> str:
    """ARN pattern of a nodegroup (`*` for every nodegroup of the cluster); EKS ends nodegroup ARNs with a generated id."""
    return stack.format_arn(service="eks", resource="nodegroup", resource_name=f"{cluster_name}/{nodegroup_name}/*")


class NodeTemplateTags(Construct):
    """Tags the Auto Scaling group of `cluster_name`/`nodegroup_name` with `tags` on create, and again whenever they change.

    Runs once the nodegroup exists: pass its name as the nodegroup's attribute, or add a dependency on the nodegroup.
    A key dropped from `tags` stays on the group until the nodegroup is replaced.
    """

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, nodegroup_name: str, tags: Mapping[str, str]) -> None:
        super().__init__(scope, id)
        if not tags:
            raise ValueError("tags must name at least one node-template tag")
        outside = sorted(key for key in tags if not key.startswith(NODE_TEMPLATE_PREFIX))
        if outside:
            raise ValueError(f"only {NODE_TEMPLATE_PREFIX}... tags may be set here, not {', '.join(outside)}")
        stack = Stack.of(self)
        arn = nodegroup_arn(stack, cluster_name=cluster_name, nodegroup_name=nodegroup_name)
        self.describe = cr.AwsCustomResource(
            self, "FindAutoScalingGroup",
            on_update=cr.AwsSdkCall(  # also the create call
                service="EKS", action="describeNodegroup",
                parameters={"clusterName": cluster_name, "nodegroupName": nodegroup_name},
                physical_resource_id=cr.PhysicalResourceId.of(f"{cluster_name}/{nodegroup_name}"),
                output_paths=[AUTO_SCALING_GROUP_NAME_PATH],  # the full answer can pass CloudFormation's 4 KB response limit
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements([
                iam.PolicyStatement(actions=["eks:DescribeNodegroup"], resources=[arn])]),
            install_latest_aws_sdk=False,  # the runtime's SDK has both calls; no download from the Lambda at deploy time
        )
        self.auto_scaling_group_name = self.describe.get_response_field(AUTO_SCALING_GROUP_NAME_PATH)
        self.apply = cr.AwsCustomResource(
            self, "TagAutoScalingGroup",
            on_update=cr.AwsSdkCall(  # the tags are parameters: a changed map is an update, and re-applies them
                service="AutoScaling", action="createOrUpdateTags",
                parameters={"Tags": [_asg_tag(self.auto_scaling_group_name, key, value) for key, value in sorted(tags.items())]},
                physical_resource_id=cr.PhysicalResourceId.of(self.auto_scaling_group_name),
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
                actions=["autoscaling:CreateOrUpdateTags"],
                resources=["*"],
                conditions={
                    "StringEquals": {f"autoscaling:ResourceTag/{CLUSTER_NAME_TAG}": cluster_name},
                    "ForAllValues:StringLike": {"aws:TagKeys": [f"{NODE_TEMPLATE_PREFIX}*"]},
                })]),
            install_latest_aws_sdk=False,
        )
        self._acknowledge(stack, arn)

    def _acknowledge(self, stack: Stack, arn: str) -> None:
        acknowledge(self.describe.node.find_child("CustomResourcePolicy"), wildcard_resource_finding(stack, arn),
                    "eks:DescribeNodegroup on one nodegroup: EKS ends nodegroup ARNs with a generated id, which `*` stands for")
        acknowledge(self.apply.node.find_child("CustomResourcePolicy"), "IAM5[Resource::*]",
                    "the Auto Scaling group's name is generated by EKS and its ARN holds a generated id, neither known at synth; "
                    "the condition limits CreateOrUpdateTags to groups tagged eks:cluster-name=<this cluster> and to "
                    "cluster-autoscaler node-template tag keys")
        # The role of the SDK-call function aws-cdk-lib shares between the custom resources of a stack (its grant principal).
        acknowledge(cast(iam.IRole, self.describe.grant_principal), managed_policy_finding("service-role/AWSLambdaBasicExecutionRole"),
                    "the SDK-call function aws-cdk-lib shares between custom resources writes its logs to CloudWatch; "
                    "this AWS managed policy grants exactly that")


def _asg_tag(auto_scaling_group_name: str, key: str, value: str) -> dict[str, Any]:
    # Not propagated: instances need no copy, the autoscaler reads the group's tags.
    return {"ResourceId": auto_scaling_group_name, "ResourceType": "auto-scaling-group", "Key": key, "Value": value,
            "PropagateAtLaunch": False}
