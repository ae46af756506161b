"""The stack: wires network, cluster, nodegroups and workloads together, and prints how to reach the result."""
from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, Fn, Stack
from constructs import Construct

from charts.gpu_scheduling import ACCELERATOR_LABEL_KEY, GPU_NODE_SELECTOR
from settings import Settings
from stacks.cluster_network import ClusterNetwork
from stacks.eks_cluster import GpuEksCluster
from stacks.gpu_verifier import GpuVerifierAccess
from stacks.log_encryption import LogEncryption
from stacks.node_autoscaling import ClusterAutoscaler
from stacks.nodegroups import GpuNodegroup, SshAccess, SystemNodegroup
from stacks.workloads import GpuWorkloads

# The runbook's check that GPUs are allocatable on every node.
GPU_ALLOCATABLE_COMMAND = 'kubectl get nodes "-o=custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu"'

VPC_ZONES = 2

# Default visibility of created queues, for receivers that set none. The runner sets its own and keeps
# extending it while it works, so this is only a ceiling for a receiver that dies without handing back.
QUEUE_VISIBILITY_TIMEOUT = Duration.minutes(15)


def stack_name(cluster_name: str) -> str:
    return f"GpuCluster-{cluster_name}"


def flow_log_group_name(cluster_name: str) -> str:
    return f"/aws/vpc/{cluster_name}/flow-logs"


class GpuClusterStack(Stack):
    """An EKS cluster with a GPU nodegroup for the studio-go-runner, from one settings object."""

    def __init__(self, scope: Construct, id: str, *, settings: Settings, verifier_trusted_account: str | None = None,
                 **kwargs: Any) -> None:
        """`verifier_trusted_account`: who may assume the GPU check's role; this stack's own account unless a pipeline says."""
        super().__init__(scope, id, description=f"EKS GPU cluster {settings.cluster_name} for the studio-go-runner", **kwargs)
        self.settings = settings
        self.log_encryption = LogEncryption(self, "LogEncryption", cluster_name=settings.cluster_name)
        network = ClusterNetwork(self, "Network", nat_gateways=settings.nat_gateways,
                                 flow_log_group_name=flow_log_group_name(settings.cluster_name))
        self.eks = GpuEksCluster(
            self, "Eks",
            cluster_name=settings.cluster_name,
            kubernetes_version=settings.kubernetes_version,
            vpc=network.vpc,
            endpoint_public_cidrs=settings.endpoint_public_cidrs,
            admin_principal_arns=settings.admin_principal_arns,
        )
        cluster = self.eks.cluster
        self.system_nodes = None
        if settings.system_nodes > 0:
            self.system_nodes = SystemNodegroup(
                self, "SystemNodes", cluster=cluster, nodegroup_name=f"{settings.cluster_name}-system",
                instance_type=settings.system_node_type, architecture=settings.system_architecture, count=settings.system_nodes)
        key = settings.ssh_key
        self.gpu_nodes = GpuNodegroup(
            self, "GpuNodes",
            cluster=cluster,
            nodegroup_name=settings.gpu_nodegroup_name,
            instance_types=settings.node_type,
            ami_type=settings.gpu_ami_type,
            capacity_type=settings.capacity_type,
            desired=settings.nodes,
            minimum=settings.nodes_min,
            maximum=settings.nodes_max,
            volume_gib=settings.node_volume_size,
            labels=self.gpu_node_labels(settings),
            taint=settings.taint_gpu_nodes,
            ssh=SshAccess(key.material, settings.ssh_allowed_cidrs) if key else None,
        )
        nodes = [self.gpu_nodes, *([self.system_nodes] if self.system_nodes else [])]
        for group in nodes:  # nodes join with the managed VPC CNI, network policy agent on, already in place
            group.node.add_dependency(self.eks.vpc_cni)
        # Imported only when used: each pulls in a large aws-cdk-lib module, and synth time is measured (make bench).
        self.queues = None
        if settings.create_queues:
            from stacks.runner_queues import RunnerQueues
            self.queues = RunnerQueues(self, "Queues", names=settings.queues, visibility_timeout=QUEUE_VISIBILITY_TIMEOUT)
        self.runner_credentials = None
        if settings.sqs_credentials == "managed":
            from stacks.managed_runner_credentials import ManagedRunnerCredentials
            self.runner_credentials = ManagedRunnerCredentials(self, "RunnerCredentials", secret_name=settings.sqs_secret_name,
                                                               region=settings.region, queue_prefix=settings.queue_prefix,
                                                               queues=settings.queues)
        self.workloads = GpuWorkloads(self, "Workloads", cluster=cluster, nodes=nodes, settings=settings,
                                      queue_urls=self._queue_urls(settings), queues=self.queues,
                                      sqs_secret=self.runner_credentials.secret if self.runner_credentials else None)
        if self.runner_credentials:
            self.runner_credentials.grant_key_use(self.workloads.external_secrets_role)
        self.autoscaler = None
        if settings.autoscaling_enabled:
            self.autoscaler = ClusterAutoscaler(
                self, "Autoscaler", cluster=cluster, agent=self.workloads.pod_identity_agent, cluster_name=settings.cluster_name,
                region=settings.region, kubernetes_version=settings.kubernetes_version, gpu_nodegroup=self.gpu_nodes.nodegroup,
                gpus_per_node=settings.gpus_per_node, gpu_node_labels=self.gpu_node_labels(settings),
                tainted=settings.taint_gpu_nodes, system_nodes=self.system_nodes)
        self.verifier = GpuVerifierAccess(self, "GpuVerifier", cluster=cluster, cluster_name=settings.cluster_name,
                                          trusted_account=verifier_trusted_account or self.account)
        self._outputs(settings)

    @staticmethod
    def gpu_node_labels(settings: Settings) -> dict[str, str]:
        return {**GPU_NODE_SELECTOR, ACCELERATOR_LABEL_KEY: settings.gpu_accelerator}

    def _queue_urls(self, settings: Settings) -> list[str]:
        """URLs of the queues KEDA watches, created here or not: SQS URLs follow from region, account and name."""
        domain = "amazonaws.com.cn" if settings.region.startswith("cn-") else "amazonaws.com"
        return [f"https://sqs.{settings.region}.{domain}/{settings.account or self.account}/{name}" for name in settings.queues]

    @property
    def availability_zones(self) -> list[str]:
        # Zones resolved by CloudFormation at deploy time: an account-specific stack would otherwise look them up at synth.
        return [Fn.select(index, Fn.get_azs()) for index in range(VPC_ZONES)]

    def _outputs(self, settings: Settings) -> None:
        cluster_name = CfnOutput(self, "ClusterName", value=self.eks.cluster.cluster_name, description="EKS cluster name")
        region = CfnOutput(self, "Region", value=self.region, description="AWS region of the cluster")
        CfnOutput(self, "GpuNodegroupName", value=settings.gpu_nodegroup_name, description="GPU managed nodegroup")
        CfnOutput(self, "UpdateKubeconfigCommand",
                  value=f"aws eks update-kubeconfig --name {settings.cluster_name} --region {self.region}",
                  description="Adds this cluster to your kubeconfig")
        CfnOutput(self, "GpuAllocatableCommand", value=GPU_ALLOCATABLE_COMMAND,
                  description="Shows allocatable nvidia.com/gpu per node (1 or more once the device plugin runs)")
        # What scripts/verify_gpus.py reads, by its environment variable names.
        self.check_outputs = {
            "CLUSTER_NAME": cluster_name,
            "CLUSTER_REGION": region,
            "RUNNER_NAMESPACE": CfnOutput(self, "RunnerNamespace", value=settings.namespace, description="Namespace of the runner and the smoke test"),
            "VERIFIER_ROLE_ARN": CfnOutput(self, "GpuVerifierRoleArn", value=self.verifier.role.role_arn,
                                           description="Read-only role for scripts/verify_gpus.py (make verify, the pipeline's check)"),
        }
