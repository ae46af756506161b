"""Baseline for `make bench`: the least an EKS GPU cluster in aws_eks_v2 can be, to compare our synth against."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2, aws_eks_v2 as eks
from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer

app = cdk.App()
stack = cdk.Stack(app, "BaselineEks", env=cdk.Environment(region="us-west-2"))
cluster = eks.Cluster(
    stack, "Cluster",
    version=eks.KubernetesVersion.V1_36,
    default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
    default_capacity=0,
    kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV36Layer(stack, "Kubectl")),
)
cluster.add_nodegroup_capacity("Gpu", instance_types=[ec2.InstanceType("g4dn.xlarge")],
                               ami_type=eks.NodegroupAmiType.AL2023_X86_64_NVIDIA, min_size=1, max_size=3)
app.synth()
