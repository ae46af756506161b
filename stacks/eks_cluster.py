"""The EKS control plane: version-matched kubectl, encrypted secrets, audit logs, restricted endpoint, admin access."""
from __future__ import annotations

import importlib
from typing import Any, Sequence, cast

from aws_cdk import CfnResource, RemovalPolicy, Stack, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam, aws_kms as kms
from aws_cdk import aws_lambda as lambda_, aws_logs as logs
from constructs import Construct

from settings import SUPPORTED_KUBERNETES_VERSIONS
from stacks.cluster_interface import cluster_interface
from stacks.capacity.automode_cluster import acknowledge_auto_mode_cluster_role, auto_mode_compute
from stacks.nag import acknowledge, managed_policy_finding, managed_policy_findings, wildcard_resource_finding


def kubectl_layer(scope: Construct, id: str, kubernetes_version: str) -> lambda_.ILayerVersion:
    """The kubectl layer of the cluster's own minor version (kubectl must match it).

    Imported on demand: each layer package loads a large asset bundle, and a synth needs only one.
    """
    assert kubernetes_version in SUPPORTED_KUBERNETES_VERSIONS, kubernetes_version
    minor = kubernetes_version.split(".")[1]
    module = importlib.import_module(f"aws_cdk.lambda_layer_kubectl_v{minor}")
    layer: lambda_.ILayerVersion = getattr(module, f"KubectlV{minor}Layer")(scope, id)
    return layer

CONTROL_PLANE_LOGS = [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
]

CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
# aws-cdk-lib gives the kubectl handler this AWS managed policy where the partition has ECR Public.
ECR_PUBLIC_POLICY = "AmazonElasticContainerRegistryPublicReadOnly"

# The VPC CNI's network policy agent enforces NetworkPolicy objects only when the add-on's configuration says so
# (EKS user guide, "Configure your cluster for Kubernetes network policies"): without it they are decorative.
VPC_CNI_ADDON = "vpc-cni"
VPC_CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}


class GpuEksCluster(Construct):
    """An `AWS::EKS::Cluster`: managed nodegroups added by the capacity (no default capacity), or EKS Auto Mode."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, kubernetes_version: str, vpc: ec2.IVpc,
                 endpoint_public_cidrs: Sequence[str], admin_principal_arns: Sequence[str],
                 auto_mode_node_pools: Sequence[str] | None = None) -> None:
        """`auto_mode_node_pools`: turn on EKS Auto Mode with these built-in node pools; None = managed nodegroups only."""
        super().__init__(scope, id)
        self.secrets_key = kms.Key(
            self, "SecretsKey",
            description=f"Envelope encryption of Kubernetes secrets in EKS cluster {cluster_name}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,  # cdk destroy removes the cluster, and with it every secret this key protects
        )
        # EKS would create this log group itself, with no retention and outside the stack: own it so it expires and goes with `cdk destroy`.
        self.control_plane_logs = logs.LogGroup(
            self, "ControlPlaneLogs", log_group_name=f"/aws/eks/{cluster_name}/cluster",
            retention=logs.RetentionDays.THREE_MONTHS, removal_policy=RemovalPolicy.DESTROY)
        version = eks.KubernetesVersion.of(kubernetes_version)
        self.cluster = eks.Cluster(
            self, "Cluster",
            cluster_name=cluster_name,
            version=version,
            vpc=vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            **self._capacity_props(auto_mode_node_pools),
            endpoint_access=eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*endpoint_public_cidrs),
            secrets_encryption_key=self.secrets_key,
            cluster_logging=CONTROL_PLANE_LOGS,
            kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=kubectl_layer(self, "KubectlLayer", kubernetes_version)),
        )
        self.cluster.node.add_dependency(self.control_plane_logs)
        self.vpc_cni = eks.Addon(self, "VpcCni", cluster=cluster_interface(self.cluster), addon_name=VPC_CNI_ADDON,
                                 configuration_values=VPC_CNI_CONFIGURATION)
        # EKS installs a self-managed vpc-cni with every cluster: the managed add-on takes its fields over.
        cast(CfnResource, self.vpc_cni.node.default_child).add_property_override("ResolveConflicts", "OVERWRITE")
        self._acknowledge_library_roles()
        if auto_mode_node_pools is not None:
            acknowledge_auto_mode_cluster_role(self.cluster)
        for index, arn in enumerate(admin_principal_arns):
            self.cluster.grant_access(
                f"Admin{index}", arn,
                [eks.AccessPolicy.from_access_policy_name(CLUSTER_ADMIN_POLICY, access_scope_type=eks.AccessScopeType.CLUSTER)])

    def _capacity_props(self, auto_mode_node_pools: Sequence[str] | None) -> dict[str, Any]:
        if auto_mode_node_pools is None:
            # nodegroups are added explicitly, each with its own settings
            return {"default_capacity_type": eks.DefaultCapacityType.NODEGROUP, "default_capacity": 0}
        return {"default_capacity_type": eks.DefaultCapacityType.AUTOMODE,
                "compute": auto_mode_compute(self, node_pools=auto_mode_node_pools)}

    def _acknowledge_library_roles(self) -> None:
        """Roles and functions aws-cdk-lib creates for the cluster and its kubectl provider, reviewed as they are."""
        acknowledge(self.cluster.role, managed_policy_finding("AmazonEKSClusterPolicy"),
                    "the EKS service role policy AWS requires for the control plane; AWS keeps it in step with EKS")
        provider = cast(eks.KubectlProvider, self.cluster.kubectl_provider)  # made with kubectl_provider_options above
        lambda_reason = ("the kubectl provider's Lambda functions log to CloudWatch and run in the cluster's VPC; "
                         "these AWS managed policies grant exactly that")
        for policy in ("service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole"):
            acknowledge(provider, managed_policy_finding(policy), lambda_reason)
        acknowledge(provider, managed_policy_finding("AmazonEC2ContainerRegistryReadOnly"),
                    "the kubectl handler reads OCI Helm charts from ECR; read-only")
        # ECR Public's policy is attached under a condition, whose logical id the finding names: read it from the handler's role.
        for finding in managed_policy_findings(cast(iam.IRole, provider.role)):
            if f"/{ECR_PUBLIC_POLICY}" in finding:
                acknowledge(provider, finding, "read-only ECR Public access for Helm charts, attached by aws-cdk-lib only in "
                                               "partitions that have ECR Public")
        acknowledge(provider, wildcard_resource_finding(Stack.of(self), f"{_kubectl_handler(provider).function_arn}:*"),
                    "the custom resource framework invokes its own handler function and its versions (`<arn>:*`), nothing else")
        acknowledge(provider, "L1", "the kubectl handler's runtime is fixed by aws-cdk-lib (pinned in requirements.txt) "
                                    "and moves forward when the library is upgraded")


def _kubectl_handler(provider: eks.KubectlProvider) -> lambda_.Function:
    """The function that runs kubectl: aws-eks-v2 exposes the provider's role, not its function, so the one that runs as it."""
    role = cast(iam.IRole, provider.role).node.path  # jsii hands out a new proxy per access: constructs are compared by path
    (handler,) = [c for c in provider.node.find_all() if isinstance(c, lambda_.Function) and c.role and c.role.node.path == role]
    return handler
