"""An IAM role for one Kubernetes service account, through EKS Pod Identity: no keys, no OIDC trust policy."""
from __future__ import annotations

from aws_cdk import aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"


class PodIdentityRole(Construct):
    """A role only pods of `namespace/service_account` in this cluster can assume; add its permissions to `role`."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, agent: eks.Addon, namespace: str,
                 service_account: str, description: str) -> None:
        super().__init__(scope, id)
        self.role = iam.Role(
            self, "Role",
            description=description,
            assumed_by=iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL),
        )
        # Pod Identity needs sts:TagSession beside sts:AssumeRole.
        self.role.assume_role_policy.add_statements(iam.PolicyStatement(
            actions=["sts:TagSession"], principals=[iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL)]))
        self.association = eks.CfnPodIdentityAssociation(
            self, "Association",
            cluster_name=cluster.cluster_name,
            namespace=namespace,
            service_account=service_account,
            role_arn=self.role.role_arn,
        )
        self.association.node.add_dependency(agent)
