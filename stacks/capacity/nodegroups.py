"""Managed nodegroups: the GPU nodes the runner uses, and the CPU nodes that keep system pods off them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence, cast

from aws_cdk import CfnResource, aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

from domain.names import replaceable_name
from stacks.cluster_interface import cluster_interface
from stacks.nag import acknowledge, managed_policy_finding
from charts.gpu_scheduling import GPU_TAINT_KEY, GPU_TAINT_VALUE, SYSTEM_NODE_SELECTOR
from domain.image_pull import FAST_PULL_THROUGHPUT_MIBPS

# Bottlerocket keeps its OS on a small first volume and images on the second; AL2023 uses one root volume.
DATA_VOLUME_DEVICE = {"AL2023": "/dev/xvda", "BOTTLEROCKET": "/dev/xvdb"}

# Lets operators reach nodes with Session Manager instead of SSH keys.
SSM_POLICY = "AmazonSSMManagedInstanceCore"

# AWS managed policies on every node role, and why each is the right one.
NODE_ROLE_POLICIES = {
    "AmazonEKSWorkerNodePolicy": "EKS requires it for managed nodegroup nodes to join the cluster; AWS maintains it with EKS",
    "AmazonEKS_CNI_Policy": "the VPC CNI on each node assigns pod IPs with it; AWS maintains it with the CNI",
    "AmazonEC2ContainerRegistryReadOnly": "nodes pull images from ECR (the EKS add-ons, AWS Deep Learning Containers); read-only",
    SSM_POLICY: "Session Manager access to nodes replaces open SSH; AWS maintains the minimal SSM agent permissions",
}

# System nodes run small controller images only.
SYSTEM_VOLUME_GIB = 30


@dataclass(frozen=True)
class SshAccess:
    public_key_material: str
    allowed_cidrs: Sequence[str]


# nodeadm merges every NodeConfig in the user data with the one EKS adds for a managed nodegroup (awslabs/amazon-eks-ami
# v20260724 nodeadm/doc/examples.md, "Merging multiple configuration objects"; EKS user guide, launch-templates: "additional
# arguments to the NodeConfig specification of an Amazon EKS optimized AMI"). This one turns on parallel pull and unpack
# ("Enabling fast image pull (experimental)"); nodeadm ignores it below 4 vCPUs and 7 GiB (internal/containerd/config.go,
# UseSOCISnapshotter), which every GPU type of domain/instance_types.py exceeds.
FAST_IMAGE_PULL_USER_DATA = """MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUNDARY"

--BOUNDARY
Content-Type: application/node.eks.aws

---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  featureGates:
    FastImagePull: true

--BOUNDARY--
"""


def _node_launch_template(scope: Construct, *, ami_type: str, volume_gib: int,
                          security_groups: Sequence[ec2.ISecurityGroup] = (), key_pair: ec2.IKeyPair | None = None,
                          fast_image_pull: bool = False) -> ec2.LaunchTemplate:
    """Encrypted gp3 disk and IMDSv2 with one hop, so pods cannot borrow the node's IAM role; with `fast_image_pull`,
    nodeadm's parallel pull and the disk throughput it asks for."""
    template = ec2.LaunchTemplate(
        scope, "LaunchTemplate",
        block_devices=[ec2.BlockDevice(
            device_name=DATA_VOLUME_DEVICE[ami_type.split("_")[0]],
            volume=ec2.BlockDeviceVolume.ebs(volume_gib, volume_type=ec2.EbsDeviceVolumeType.GP3, encrypted=True,
                                             delete_on_termination=True,
                                             throughput=FAST_PULL_THROUGHPUT_MIBPS if fast_image_pull else None))],
        require_imdsv2=True,
        http_put_response_hop_limit=1,
        key_pair=key_pair,
        security_group=security_groups[0] if security_groups else None,
        user_data=ec2.UserData.custom(FAST_IMAGE_PULL_USER_DATA) if fast_image_pull else None,
    )
    for group in security_groups[1:]:
        template.add_security_group(group)
    return template


def _follow_cluster_version(nodegroup: eks.Nodegroup, kubernetes_version: str) -> None:
    """Nodes on the cluster's minor, named in the template: without it a nodegroup keeps the version it was created with, and
    moving `kubernetesVersion` up would upgrade the control plane only. With it, CloudFormation rolls the nodes to the new
    minor in the same deploy, after the control plane (the nodegroup refers to the cluster). aws-cdk-lib's Nodegroup has no
    such property: it is the L1's `Version` (AWS::EKS::Nodegroup, updatable in place)."""
    cfn = nodegroup.node.default_child
    assert isinstance(cfn, CfnResource)
    cfn.add_property_override("Version", kubernetes_version)


def _complete_node_role(nodegroup: eks.Nodegroup) -> None:
    nodegroup.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(SSM_POLICY))
    for policy, reason in NODE_ROLE_POLICIES.items():
        acknowledge(nodegroup.role, managed_policy_finding(policy), reason)


class GpuNodegroup(Construct):
    """The runner's GPU nodes: NVIDIA AMI chosen explicitly, labelled for the device plugin, tainted when system nodes exist.

    `name_prefix`: the nodegroup is named `<name_prefix>-<digest of its instance types, capacity type and AMI type>`
    (`nodegroup_name`), so a change of any of them creates a new nodegroup before the old one drains and goes.
    """

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, kubernetes_version: str, name_prefix: str,
                 instance_types: Sequence[str], ami_type: str, capacity_type: str, desired: int, minimum: int, maximum: int,
                 volume_gib: int, labels: Mapping[str, str], taint: bool, ssh: SshAccess | None = None,
                 fast_image_pull: bool = False) -> None:
        super().__init__(scope, id)
        self.nodegroup_name = replaceable_name(name_prefix, instance_types=list(instance_types), capacity_type=capacity_type,
                                               ami_type=ami_type)
        security_groups: list[ec2.ISecurityGroup] = []
        key_pair = None
        if ssh is not None:
            # Its name and key are create-only too (AWS::EC2::KeyPair): a new key is a new key pair, under a new name.
            key_pair = ec2.KeyPair(self, "SshKey", public_key_material=ssh.public_key_material,
                                   key_pair_name=replaceable_name(f"{name_prefix}-ssh", key=ssh.public_key_material))
            self.ssh_security_group = ec2.SecurityGroup(self, "SshAccess", vpc=cluster.vpc, allow_all_outbound=False,
                                                        description=f"SSH to GPU nodes of {name_prefix}")
            for cidr in ssh.allowed_cidrs:
                self.ssh_security_group.add_ingress_rule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(22), "SSH from sshAllowedCidrs")
            # A launch template that names security groups replaces EKS's default, so the cluster's group is listed too.
            security_groups = [cluster.cluster_security_group, self.ssh_security_group]
        self.launch_template = _node_launch_template(self, ami_type=ami_type, volume_gib=volume_gib,
                                                     security_groups=security_groups, key_pair=key_pair,
                                                     fast_image_pull=fast_image_pull)
        self.nodegroup = eks.Nodegroup(
            self, "Nodegroup",
            cluster=cluster_interface(cluster),
            nodegroup_name=self.nodegroup_name,
            instance_types=[ec2.InstanceType(name) for name in instance_types],
            ami_type=getattr(eks.NodegroupAmiType, ami_type.upper()),  # always explicit: the library default is the retired AL2 GPU AMI
            capacity_type=getattr(eks.CapacityType, capacity_type),
            desired_size=desired,
            min_size=minimum,
            max_size=maximum,
            labels=dict(labels),
            taints=[eks.TaintSpec(key=GPU_TAINT_KEY, value=GPU_TAINT_VALUE, effect=eks.TaintEffect.NO_SCHEDULE)] if taint else None,
            launch_template_spec=eks.LaunchTemplateSpec(id=cast(str, self.launch_template.launch_template_id),  # made here: it has one
                                                        version=self.launch_template.latest_version_number),
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            enable_node_auto_repair=True,
        )
        _follow_cluster_version(self.nodegroup, kubernetes_version)
        _complete_node_role(self.nodegroup)


class SystemNodegroup(Construct):
    """CPU nodes for CoreDNS, controllers and add-ons, so GPU nodes run GPU work only.

    Named `<name_prefix>-<digest of its instance type and AMI type>`, like the GPU nodegroup: the type follows from what runs
    there (settings/capacity.py), so turning an add-on on or off may move the system pods to a new nodegroup.
    """

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, kubernetes_version: str, name_prefix: str,
                 instance_type: str, architecture: str, count: int) -> None:
        super().__init__(scope, id)
        ami_type = "AL2023_ARM_64_STANDARD" if architecture == "arm64" else "AL2023_X86_64_STANDARD"
        self.nodegroup_name = replaceable_name(name_prefix, instance_types=[instance_type], ami_type=ami_type)
        self.launch_template = _node_launch_template(self, ami_type=ami_type, volume_gib=SYSTEM_VOLUME_GIB)
        self.nodegroup = eks.Nodegroup(
            self, "Nodegroup",
            cluster=cluster_interface(cluster),
            nodegroup_name=self.nodegroup_name,
            instance_types=[ec2.InstanceType(instance_type)],
            ami_type=getattr(eks.NodegroupAmiType, ami_type),
            labels=dict(SYSTEM_NODE_SELECTOR),  # add-ons that must stay off GPU nodes select on it
            desired_size=count,
            min_size=count,
            max_size=count,
            launch_template_spec=eks.LaunchTemplateSpec(id=cast(str, self.launch_template.launch_template_id),  # made here: it has one
                                                        version=self.launch_template.latest_version_number),
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            enable_node_auto_repair=True,
        )
        _follow_cluster_version(self.nodegroup, kubernetes_version)
        _complete_node_role(self.nodegroup)

