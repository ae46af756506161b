"""Every pod a configuration runs on the system nodes, with its requests, and where each figure and image fact comes from.

Used to size the system nodegroup (domain/system_nodes.py). A pod's request is its containers' sum (an init container's,
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
# Ours: requests set in charts/cluster_autoscaler.py, charts/keda.py, charts/external_secrets.py,
# charts/ecr_credential_refresh.py (tests/test_system_nodes.py reads them back from the charts' values).
CLUSTER_AUTOSCALER = SystemPod("cluster-autoscaler", 1, 100, 300, True,
                               "charts/cluster_autoscaler.py; kubernetes/autoscaler cluster-autoscaler/Makefile "
                               "ALL_ARCH = amd64 arm64 s390x")
KEDA_PODS = (
    SystemPod("keda-operator", 1, 50, 100, True,
              "charts/keda.py; kedacore/keda Makefile BUILD_PLATFORMS linux/amd64,linux/arm64,linux/s390x"),
    SystemPod("keda-operator-metrics-apiserver", 1, 50, 100, True, "charts/keda.py; same BUILD_PLATFORMS (Dockerfile.adapter)"),
    SystemPod("keda-admission-webhooks", 1, 50, 32, True, "charts/keda.py; same BUILD_PLATFORMS (Dockerfile.webhooks)"),
)
EXTERNAL_SECRETS_PODS = (
    SystemPod("external-secrets", 1, 10, 64, True,
              "charts/external_secrets.py; external-secrets/external-secrets Makefile ARCH ?= amd64 arm64 ppc64le"),
    SystemPod("external-secrets-webhook", 1, 10, 32, True, "charts/external_secrets.py; same image"),
    SystemPod("external-secrets-cert-controller", 1, 10, 32, True, "charts/external_secrets.py; same image"),
)
# One pod at a time (the first Job, then the CronJob's); its aws-cli init container asks 256Mi, the largest of the pod.
ECR_REFRESH = SystemPod("ecr-credential-refresh", 1, 50, 256, True,
                        "charts/ecr_credential_refresh.py; aws-cli and kubectl images are published for amd64 and arm64")


# GPU health and observability (EKS add-ons): aws/eks-node-monitoring-agent charts/eks-node-monitoring-agent/values.yaml at
# v1.7.0 (agent requests 10m, 30Mi; node affinity amd64 and arm64; its DCGM DaemonSet runs on NVIDIA instance types only);
# aws-observability/helm-charts charts/amazon-cloudwatch-observability/values.yaml at v1.9.0 (agent 250m, 128Mi; Fluent Bit
# 50m, 25Mi; the operator's manager 100m, 64Mi; its DCGM exporter on GPU instance types only). Container Insights runs on
# Graviton since January 2021 (AWS What's New, "Amazon CloudWatch Container Insights now available on AWS Graviton2"),
# with multi-arch agent images (aws/amazon-cloudwatch-agent issue 114).
NODE_MONITORING_AGENT = SystemPod("eks-node-monitoring-agent", 0, 10, 30, True,
                                  "aws/eks-node-monitoring-agent chart values v1.7.0: requests 10m, 30Mi; affinity amd64, arm64",
                                  per_node=True)
CONTAINER_INSIGHTS_PODS = (
    SystemPod("cloudwatch-agent", 0, 250, 128, True, "amazon-cloudwatch-observability values v1.9.0: agent 250m, 128Mi", per_node=True),
    SystemPod("fluent-bit", 0, 50, 25, True, "amazon-cloudwatch-observability values v1.9.0: containerLogs 50m, 25Mi", per_node=True),
    SystemPod("amazon-cloudwatch-observability-controller-manager", 1, 100, 64, True,
              "amazon-cloudwatch-observability values v1.9.0: manager 100m, 64Mi"),
)


def system_pods(*, cluster_autoscaler: bool, keda: bool, external_secrets: bool, ecr_refresh: bool,
                node_monitoring_agent: bool = False, container_insights: bool = False) -> list[SystemPod]:
    """The pods this configuration runs on the system nodes (GPU nodes are tainted: nothing else lands there)."""
    pods = [VPC_CNI, KUBE_PROXY, POD_IDENTITY_AGENT, COREDNS]
    if node_monitoring_agent:
        pods.append(NODE_MONITORING_AGENT)
    if container_insights:
        pods += CONTAINER_INSIGHTS_PODS
    if cluster_autoscaler:
        pods.append(CLUSTER_AUTOSCALER)
    if keda:
        pods += KEDA_PODS
    if external_secrets:
        pods += EXTERNAL_SECRETS_PODS
    if ecr_refresh:
        pods.append(ECR_REFRESH)
    return pods
