"""The stack: wires network, cluster, nodegroups and workloads together, and prints how to reach the result."""
from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Fn, Stack
from constructs import Construct

from settings import Settings
from stacks.cluster_network import ClusterNetwork
from stacks.eks_cluster import GpuEksCluster
from stacks.nodegroups import GpuNodegroup, SshAccess, SystemNodegroup
from stacks.workloads import GpuWorkloads

# The runbook's check that GPUs are allocatable on every node.
GPU_ALLOCATABLE_COMMAND = 'kubectl get nodes "-o=custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu"'

VPC_ZONES = 2


def stack_name(cluster_name: str) -> str:
    return f"GpuCluster-{cluster_name}"


class GpuClusterStack(Stack):
    """An EKS cluster with a GPU nodegroup for the studio-go-runner, from one settings object."""

    def __init__(self, scope: Construct, id: str, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(scope, id, description=f"EKS GPU cluster {settings.cluster_name} for the studio-go-runner", **kwargs)
        self.settings = settings
        network = ClusterNetwork(self, "Network", nat_gateways=settings.nat_gateways)
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
            taint=settings.taint_gpu_nodes,
            ssh=SshAccess(key.material, settings.ssh_allowed_cidrs) if key else None,
        )
        nodes = [self.gpu_nodes, *([self.system_nodes] if self.system_nodes else [])]
        self.workloads = GpuWorkloads(self, "Workloads", cluster=cluster, nodes=nodes, settings=settings)
        self._outputs(settings)

    @property
    def availability_zones(self) -> list[str]:
        # Zones resolved by CloudFormation at deploy time: an account-specific stack would otherwise look them up at synth.
        return [Fn.select(index, Fn.get_azs()) for index in range(VPC_ZONES)]

    def _outputs(self, settings: Settings) -> None:
        CfnOutput(self, "ClusterName", value=self.eks.cluster.cluster_name, description="EKS cluster name")
        CfnOutput(self, "Region", value=self.region, description="AWS region of the cluster")
        CfnOutput(self, "GpuNodegroupName", value=settings.gpu_nodegroup_name, description="GPU managed nodegroup")
        CfnOutput(self, "UpdateKubeconfigCommand",
                  value=f"aws eks update-kubeconfig --name {settings.cluster_name} --region {self.region}",
                  description="Adds this cluster to your kubeconfig")
        CfnOutput(self, "GpuAllocatableCommand", value=GPU_ALLOCATABLE_COMMAND,
                  description="Shows allocatable nvidia.com/gpu per node (1 or more once the device plugin runs)")
