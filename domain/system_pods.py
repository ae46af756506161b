"""A pod on the system nodes, with its requests, and where each figure and image fact comes from; EKS's own pods, and ours.

An add-on's pods are in its unit (stacks/addons/<name>); the install plan (stacks/install_plan.py) gathers what a
configuration runs, and settings size the system nodegroup from it (domain/system_nodes.py). A pod's request is its containers' sum (an init container's,
when larger). `per_node` pods are DaemonSets: one on every system node. Each row also says whether the image is published
for arm64, so the nodes may be Graviton, and where that is stated.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemPod:
    name: str
    replicas: int  # pods of a Deployment or Job; ignored when per_node
    cpu_millis: int
    memory_mib: int
    arm64: bool  # the image is published for linux/arm64
    source: str  # where the requests, replicas and arm64 come from
    per_node: bool = False


# EKS's own pods on every node. Requests: aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml (`resources.requests.cpu:
# 25m`, node affinity amd64 and arm64); EKS's kube-proxy DaemonSet (cpu 100m, the upstream kube-proxy manifest's request;
# EKS publishes its image for amd64 and arm64); aws/eks-charts stable/eks-pod-identity-agent/values.yaml (`resources: {}`,
# node affinity amd64 and arm64).
VPC_CNI = SystemPod("aws-node (VPC CNI)", 0, 25, 0, True,
                    "aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/values.yaml: requests cpu 25m; affinity amd64, arm64", per_node=True)
KUBE_PROXY = SystemPod("kube-proxy", 0, 100, 0, True,
                       "EKS kube-proxy DaemonSet: requests cpu 100m; image for amd64 and arm64", per_node=True)
POD_IDENTITY_AGENT = SystemPod("eks-pod-identity-agent", 0, 0, 0, True,
                               "aws/eks-charts stable/eks-pod-identity-agent/values.yaml: resources {}; affinity amd64, arm64",
                               per_node=True)
# EKS's CoreDNS: 2 replicas, requests cpu 100m and memory 70Mi (kubernetes/kubernetes cluster/addons/dns/coredns/
# coredns.yaml.base, which EKS's CoreDNS follows); EKS publishes its CoreDNS image for amd64 and arm64.
COREDNS = SystemPod("CoreDNS", 2, 100, 70, True,
                    "kubernetes cluster/addons/dns/coredns/coredns.yaml.base: requests cpu 100m, memory 70Mi; EKS runs 2")
# One pod at a time (the first Job, then the CronJob's); its aws-cli init container asks 256Mi, the largest of the pod.
ECR_REFRESH = SystemPod("ecr-credential-refresh", 1, 50, 256, True,
                        "charts/ecr_credential_refresh.py; aws-cli and kubectl images are published for amd64 and arm64")


# What every configuration runs on its system nodes, before any add-on.
EKS_PODS = (VPC_CNI, KUBE_PROXY, POD_IDENTITY_AGENT, COREDNS)
