"""What an EKS Auto Mode cluster needs on the cluster itself: the nodes' IAM role, and the review of the roles' policies."""
from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

from stacks.nag import acknowledge, managed_policy_finding

# The node role the EKS user guide gives Auto Mode nodes (latest/ug/automode/cloudformation/compute_node_role.yaml):
# the minimal worker policy and pull-only ECR access, narrower than a managed nodegroup's (stacks/capacity/nodegroups.py).
NODE_ROLE_POLICIES = {
    "AmazonEKSWorkerNodeMinimalPolicy": "the minimal policy EKS documents for Auto Mode nodes to join the cluster; AWS maintains it",
    "AmazonEC2ContainerRegistryPullOnly": "nodes pull images from ECR, nothing more; AWS maintains it",
}
# What aws-cdk-lib attaches to the cluster role when Auto Mode is on: EKS's own policies for the parts it runs.
CLUSTER_ROLE_POLICIES = ("AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy",
                         "AmazonEKSNetworkingPolicy")


def auto_mode_compute(scope: Construct, *, node_pools: Sequence[str]) -> eks.ComputeConfig:
    """The cluster's Auto Mode compute: the built-in `node_pools`, and a node role with the documented minimal policies."""
    role = iam.Role(scope, "AutoModeNodeRole", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                    description="Nodes EKS Auto Mode launches for this cluster",
                    managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(name) for name in NODE_ROLE_POLICIES])
    for policy, reason in NODE_ROLE_POLICIES.items():
        acknowledge(role, managed_policy_finding(policy), reason)
    return eks.ComputeConfig(node_pools=list(node_pools), node_role=role)


def acknowledge_auto_mode_cluster_role(cluster: eks.Cluster) -> None:
    for policy in CLUSTER_ROLE_POLICIES:
        acknowledge(cluster.role, managed_policy_finding(policy),
                    "EKS Auto Mode requires this AWS managed policy on the cluster role for the nodes, volumes, load "
                    "balancers and networking it runs; aws-cdk-lib attaches it and AWS keeps it in step with Auto Mode")
