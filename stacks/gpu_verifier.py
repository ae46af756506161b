"""The identity the post-deploy GPU check uses: an IAM role mapped to a read-only Kubernetes group."""
from __future__ import annotations

import hashlib

from aws_cdk import Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

from charts.gpu_verifier_rbac import VERIFIER_GROUP


def verifier_role_name(cluster_name: str, region: str) -> str:
    """A fixed, per-cluster name, so a pipeline in another account can be granted sts:AssumeRole on it before it exists."""
    name = f"gpu-verifier-{region}-{cluster_name}"
    if len(name) <= 64:
        return name
    return f"{name[:55]}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"  # IAM role names stop at 64 characters


class GpuVerifierAccess(Construct):
    """Role `verifier_role_name(...)`, assumable from `trusted_account`; EKS access entry into group VERIFIER_GROUP only."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, cluster_name: str, trusted_account: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self, "Role",
            role_name=verifier_role_name(cluster_name, stack.region),
            assumed_by=iam.AccountPrincipal(trusted_account),
            description=f"Post-deploy GPU check of EKS cluster {cluster_name}: reads nodes and jobs, nothing else",
        )
        # update-kubeconfig needs the endpoint and CA of this one cluster.
        self.role.add_to_policy(iam.PolicyStatement(actions=["eks:DescribeCluster"], resources=[cluster.cluster_arn]))
        # No access policy: the group's RBAC (charts/gpu_verifier_rbac.py) is the whole grant.
        self.access_entry = eks.CfnAccessEntry(
            self, "AccessEntry", cluster_name=cluster.cluster_name, principal_arn=self.role.role_arn,
            kubernetes_groups=[VERIFIER_GROUP], type="STANDARD")
