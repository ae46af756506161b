"""The cluster and its network: name, where it lives, Kubernetes version, NAT, who reaches the API and who administers it."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from domain import names
from domain.component_versions import KUBERNETES_VERSIONS
from settings.fields import SettingsBase, setting
from settings.types import AccountId, ClusterName, Count, IamPrincipalArns, Region, Text, at_least, at_most, quoted
from settings.cidrs import PublicCidrs

SUPPORTED_KUBERNETES_VERSIONS = KUBERNETES_VERSIONS

NatGateways = Annotated[Count, at_least(1, "nodes in private subnets need a NAT gateway"), at_most(2, "as the VPC spans 2 zones")]


def _supported(value: str) -> str:
    if value not in SUPPORTED_KUBERNETES_VERSIONS:
        raise ValueError(f"{quoted(value, 30)} is not supported. Use one of {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}")
    return value


KubernetesVersion = Annotated[Text, AfterValidator(_supported)]


class ClusterSettings(SettingsBase):
    cluster_name: ClusterName = setting("test-eks", meaning="EKS cluster name", runbook="`--name`",
                                        default_text="`$AWS_CLUSTER_NAME`, else `test-eks`")
    region: Region = setting("us-west-2", meaning="AWS region", runbook="`--region`",
                             default_text="`$AWS_DEFAULT_REGION`, else `$CDK_DEFAULT_REGION` (the CDK CLI always sets it: "
                                          "your profile's region, else `us-east-1`), else `us-west-2`")
    account: AccountId | None = setting(None, meaning="AWS account id (12 digits); unset = environment-agnostic template",
                                        default_text="`$CDK_DEFAULT_ACCOUNT`, else unset")
    kubernetes_version: KubernetesVersion = setting(
        "1.36", meaning=f"Kubernetes version: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}; the kubectl layer always matches it, "
        "and every add-on installed must support it (`stacks/install_plan.py`)",
        runbook="`--version`")
    nat_gateways: NatGateways = setting(1, meaning="NAT gateways of the new VPC (1 or 2; nodes live in private subnets)",
                                        runbook="eksctl's VPC")
    endpoint_public_cidrs: PublicCidrs = setting(["0.0.0.0/0"], meaning="who may reach the public API endpoint (comma list of CIDRs)",
                                                 runbook="eksctl default `publicAccess=true`")
    admin_principal_arns: IamPrincipalArns = setting([], meaning="IAM roles/users given cluster admin through EKS access entries "
                                                     "(comma list)", runbook="`kops get secrets` / kubeconfig hand-over",
                                                     default_text="unset")

    @property
    def stack_name(self) -> str:
        return names.cluster_stack_name(self.cluster_name)
