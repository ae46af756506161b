"""The capacity seam's first shape, built in a bare stack: what it answers, and where it puts what it builds."""
from __future__ import annotations

from dataclasses import replace

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from stacks.capacity import Capacity, NodeTaint
from stacks.capacity.nodegroup_capacity import GpuNodes, NodegroupCapacity, SystemNodes
from stacks.manifests import ManifestApplier
from tests.stacks.addons.bare_stack import ENV, imported_cluster

GPU = GpuNodes(name_prefix="studio", instance_types=["g5.xlarge"], ami_type="AL2023_x86_64_NVIDIA", capacity_type="ON_DEMAND",
               desired=0, minimum=0, maximum=3, volume_gib=100, accelerator="nvidia-a10g", gpus_per_node=1)
SYSTEM = SystemNodes(name_prefix="studio-system", instance_type="t3.large", architecture="x86_64", count=2)


def _capacity(*, gpu=GPU, system=SYSTEM):
    stack = cdk.Stack(cdk.App(), "Bare", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(stack, "Vpc", vpc_id="vpc-1", availability_zones=["us-west-2a", "us-west-2b"],
                                      private_subnet_ids=["subnet-1", "subnet-2"])
    cluster = imported_cluster(stack, vpc)
    manifests = ManifestApplier(stack, "Workloads", cluster=cluster)
    return stack, NodegroupCapacity(stack, cluster=cluster, kubernetes_version="1.36", manifests=manifests, gpu=gpu, system=system)


@pytest.fixture(scope="module")
def built():
    return _capacity()


def test_it_is_a_capacity(built):
    assert isinstance(built[1], Capacity)


def test_both_nodegroups_are_ready_to_schedule_on_and_keep_their_paths(built):
    stack, capacity = built
    assert [group.node.path for group in capacity.ready] == ["Bare/GpuNodes", "Bare/SystemNodes"]


def test_gpu_nodes_are_labelled_and_tainted_when_system_nodes_exist(built):
    capacity = built[1]
    assert capacity.gpu_node_labels == {"nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-a10g"}
    assert capacity.gpu_taints == [NodeTaint("nvidia.com/gpu", "true", "NoSchedule")]


def test_the_pod_identity_agent_is_the_eks_addon_and_waits_for_the_nodes(built):
    capacity = built[1]
    agent = capacity.pod_identity_agent
    assert agent.node.path == "Bare/Workloads/PodIdentityAgent"
    assert agent.node.default_child.addon_name == "eks-pod-identity-agent"
    assert set(agent.node.dependencies) == set(capacity.ready)


def test_without_system_nodes_gpu_nodes_are_untainted():
    capacity = _capacity(system=None)[1]
    assert capacity.gpu_taints == [] and capacity.system_nodes is None
    assert [group.node.path for group in capacity.ready] == ["Bare/GpuNodes"]


# --- fastImagePull: nodeadm's FastImagePull feature gate and the disk throughput its docs ask for ------------------------

def _gpu_launch_template(stack):
    template = cdk.assertions.Template.from_stack(stack).to_json()
    nodegroup = next(r["Properties"] for r in template["Resources"].values()
                     if r["Type"] == "AWS::EKS::Nodegroup" and r["Properties"]["NodegroupName"].startswith("studio-")
                     and not r["Properties"]["NodegroupName"].startswith("studio-system"))
    return template["Resources"][nodegroup["LaunchTemplate"]["Id"]["Ref"]]["Properties"]["LaunchTemplateData"]


def test_without_fast_image_pull_the_gpu_disk_has_gp3s_baseline_and_no_user_data(built):
    data = _gpu_launch_template(built[0])
    assert "UserData" not in data
    assert "Throughput" not in data["BlockDeviceMappings"][0]["Ebs"]


def test_fast_image_pull_turns_on_nodeadms_feature_gate_with_600_mibps():
    stack, _ = _capacity(gpu=replace(GPU, fast_image_pull=True))
    data = _gpu_launch_template(stack)
    # awslabs/amazon-eks-ami v20260724 nodeadm/doc/examples.md: "at least 600MiB/s throughput"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Throughput"] == 600
    text = data["UserData"]["Fn::Base64"]  # CloudFormation encodes it at deploy
    assert "Content-Type: application/node.eks.aws" in text  # nodeadm's MIME part type (examples.md)
    assert "kind: NodeConfig\nspec:\n  featureGates:\n    FastImagePull: true\n" in text


def test_every_gpu_type_is_above_the_size_below_which_nodeadm_ignores_fast_image_pull():
    # nodeadm/internal/containerd/config.go UseSOCISnapshotter (amazon-eks-ami v20260724): >= 4000 millicores and >= 7 GiB
    # of online memory; the smallest GPU type, g5g.xlarge, has 4 vCPUs and 8 GiB.
    from domain.instance_types import GPU_INSTANCE_TYPES
    assert all(t.vcpus >= 4 and t.memory_gib >= 8 for t in GPU_INSTANCE_TYPES.values())
