"""An IAM role for one Kubernetes service account, through EKS Pod Identity: no keys, no OIDC trust policy."""
from __future__ import annotations

from typing import Any

from aws_cdk import Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct, IConstruct

POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
# Session tags EKS Pod Identity sets when it assumes a role (EKS user guide, "Create IAM role with trust
# policy required by EKS Pod Identity" and "Enable or disable session tags").
CLUSTER_ARN_TAG = "aws:RequestTag/eks-cluster-arn"
NAMESPACE_TAG = "aws:RequestTag/kubernetes-namespace"
SERVICE_ACCOUNT_TAG = "aws:RequestTag/kubernetes-service-account"


def pod_identity_trust_conditions(*, cluster_arn: str, namespace: str, service_account: str, account: str) -> dict[str, Any]:
    """Without these, any Pod Identity association in the account could hand this role to its pods."""
    return {"StringEquals": {
        CLUSTER_ARN_TAG: cluster_arn,
        NAMESPACE_TAG: namespace,
        SERVICE_ACCOUNT_TAG: service_account,
        "aws:SourceAccount": account,  # the cross-service confused-deputy guard
    }}


class PodIdentityRole(Construct):
    """A role only pods of `namespace/service_account` in this cluster can assume; add its permissions to `role`.

    `agent`: the Pod Identity agent the association waits for; None where the nodes bring their own.
    """

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, agent: IConstruct | None, namespace: str,
                 service_account: str, description: str) -> None:
        super().__init__(scope, id)
        conditions = pod_identity_trust_conditions(cluster_arn=cluster.cluster_arn, namespace=namespace,
                                                   service_account=service_account, account=Stack.of(self).account)
        # Pod Identity needs sts:TagSession beside sts:AssumeRole; the session tags it passes are what the conditions check.
        self.role = iam.Role(self, "Role", description=description,
                             assumed_by=iam.ServicePrincipal(POD_IDENTITY_PRINCIPAL, conditions=conditions).with_session_tags())
        self.association = eks.CfnPodIdentityAssociation(
            self, "Association",
            cluster_name=cluster.cluster_name,
            namespace=namespace,
            service_account=service_account,
            role_arn=self.role.role_arn,
        )
        if agent is not None:
            self.association.node.add_dependency(agent)
