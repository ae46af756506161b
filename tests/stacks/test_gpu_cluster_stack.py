"""The cluster stack's template, asserted field by field for the default and the custom configurations."""
from __future__ import annotations

import json
import re

import pytest

from tests.synth import nodegroup, only, resources

pytestmark = pytest.mark.xdist_group("synth")





def _launch_template_of(template, nodegroup):
    return template["Resources"][nodegroup["LaunchTemplate"]["Id"]["Ref"]]["Properties"]["LaunchTemplateData"]


def _output(template, name):
    return template["Outputs"][name]["Value"]


# --- the cluster -----------------------------------------------------------------------------

def test_cluster_name_version_and_no_auto_mode(default, custom):
    cluster = only(default, "AWS::EKS::Cluster")
    assert cluster["Name"] == "test-eks"
    assert cluster["Version"] == "1.36"
    assert cluster["ComputeConfig"] == {"Enabled": False}
    assert only(custom, "AWS::EKS::Cluster")["Version"] == "1.34"
    assert only(custom, "AWS::EKS::Cluster")["Name"] == "gpu-lab"


def test_secrets_are_envelope_encrypted_with_a_rotating_key(default):
    cluster = only(default, "AWS::EKS::Cluster")
    key_id = cluster["EncryptionConfig"][0]["Provider"]["KeyArn"]["Fn::GetAtt"][0]
    assert cluster["EncryptionConfig"][0]["Resources"] == ["secrets"]
    assert default["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True


def test_control_plane_logs_include_audit_and_expire(default):
    logged = {entry["Type"] for entry in only(default, "AWS::EKS::Cluster")["Logging"]["ClusterLogging"]["EnabledTypes"]}
    assert {"audit", "authenticator", "controllerManager"} <= logged
    groups = [g["Properties"] for g in resources(default, "AWS::Logs::LogGroup").values()]
    control = [g for g in groups if g.get("LogGroupName") == "/aws/eks/test-eks/cluster"]
    assert control and control[0]["RetentionInDays"] > 0


def test_endpoint_is_public_and_private_limited_to_the_cidrs(default, custom):
    vpc_config = only(default, "AWS::EKS::Cluster")["ResourcesVpcConfig"]
    assert vpc_config["EndpointPublicAccess"] is True and vpc_config["EndpointPrivateAccess"] is True
    assert vpc_config["PublicAccessCidrs"] == ["0.0.0.0/0"]
    assert only(custom, "AWS::EKS::Cluster")["ResourcesVpcConfig"]["PublicAccessCidrs"] == ["203.0.113.0/24", "198.51.100.7/32"]


def test_kubectl_layer_matches_the_kubernetes_version(synthesized):
    for config, minor in (("default", "36"), ("custom", "34"), ("arm", "35")):
        layers = [r["Properties"] for r in resources(synthesized(config).template(), "AWS::Lambda::LayerVersion").values()]
        assert any(f"/opt/kubectl/kubectl 1.{minor}." in layer.get("Description", "") for layer in layers), (config, layers)


def test_admin_principals_get_cluster_admin_access_entries(default, custom):
    admin_policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

    def admins(template):
        entries = [r["Properties"] for r in resources(template, "AWS::EKS::AccessEntry").values()]
        return {e["PrincipalArn"] for e in entries if isinstance(e["PrincipalArn"], str)
                and any(p["PolicyArn"] == admin_policy or "AmazonEKSClusterAdminPolicy" in str(p["PolicyArn"]) for p in e["AccessPolicies"])}

    assert admins(default) == set()
    assert admins(custom) == {"arn:aws:iam::123456789012:role/PlatformAdmin", "arn:aws:iam::123456789012:user/ops"}


# --- the network -----------------------------------------------------------------------------

def test_vpc_has_nat_gateways_and_nodes_in_private_subnets(default, custom):
    assert len(resources(default, "AWS::EC2::NatGateway")) == 1
    assert len(resources(custom, "AWS::EC2::NatGateway")) == 2
    public = {key for key, r in resources(default, "AWS::EC2::Subnet").items() if r["Properties"]["MapPublicIpOnLaunch"]}
    for group in resources(default, "AWS::EKS::Nodegroup").values():
        subnets = {s["Ref"] for s in group["Properties"]["Subnets"]}
        assert len(subnets) == 2 and not subnets & public


def test_availability_zones_resolve_at_deploy_time_not_by_lookup(custom):
    zones = [r["Properties"]["AvailabilityZone"] for r in resources(custom, "AWS::EC2::Subnet").values()]
    assert all("Fn::Select" in zone for zone in zones)


# --- the GPU nodegroup -----------------------------------------------------------------------

def test_gpu_nodegroup_defaults_follow_the_runbook(default):
    gpu = nodegroup(default, "test-eks")
    assert gpu["InstanceTypes"] == ["g4dn.xlarge"]
    assert gpu["ScalingConfig"] == {"DesiredSize": 1, "MinSize": 1, "MaxSize": 3}
    assert gpu["AmiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["CapacityType"] == "ON_DEMAND"
    assert gpu["Labels"] == {"nvidia.com/gpu.present": "true", "k8s.amazonaws.com/accelerator": "nvidia-t4"}
    assert gpu["Taints"] == [{"Key": "nvidia.com/gpu", "Value": "true", "Effect": "NO_SCHEDULE"}]


def test_nodegroup_names_carry_a_digest_of_what_cannot_change_in_place(default, custom, arm):
    # AWS::EKS::Nodegroup's createOnlyProperties include InstanceTypes, CapacityType and AmiType (its registry schema):
    # a change of one replaces the nodegroup, and CloudFormation refuses to replace a custom-named resource under the same
    # name. Configurations that differ in them get different names; the prefix stays the user's.
    names = {name: nodegroup(template, prefix)["NodegroupName"]
             for name, template, prefix in (("default", default, "test-eks"), ("custom", custom, "gpus"), ("arm", arm, "test-eks"))}
    assert len(set(names.values())) == 3
    assert nodegroup(default, "test-eks-system")["NodegroupName"] != nodegroup(arm, "test-eks-system")["NodegroupName"]


def test_nodes_follow_the_clusters_kubernetes_minor(default, custom):
    # EKS API UpdateNodegroupVersion: "If no version is specified, then the Kubernetes version of the node group does not
    # change" (and a node group cannot be rolled back to an earlier version): without Version the nodes stay behind.
    assert {g["Properties"]["Version"] for g in resources(default, "AWS::EKS::Nodegroup").values()} == {"1.36"}
    assert nodegroup(custom, "gpus")["Version"] == "1.34"


def test_gpu_nodegroup_custom_settings(custom):
    gpu = nodegroup(custom, "gpus")
    assert gpu["InstanceTypes"] == ["g5.xlarge", "g6.xlarge"]
    assert gpu["ScalingConfig"] == {"DesiredSize": 2, "MinSize": 0, "MaxSize": 4}
    assert gpu["CapacityType"] == "SPOT"
    assert "Taints" not in gpu  # no system nodes: GPU nodes must run system pods too


def test_ami_type_is_always_explicit(arm):
    assert nodegroup(arm, "test-eks")["AmiType"] == "BOTTLEROCKET_ARM_64_NVIDIA"


def test_gpu_disk_size_encrypted_gp3_on_the_data_volume(default, custom, arm):
    for template, name, size, device in ((default, "test-eks", 100, "/dev/xvda"), (custom, "gpus", 200, "/dev/xvda"),
                                         (arm, "test-eks", 100, "/dev/xvdb")):
        (mapping,) = _launch_template_of(template, nodegroup(template, name))["BlockDeviceMappings"]
        assert mapping["DeviceName"] == device
        assert mapping["Ebs"] == {"VolumeSize": size, "VolumeType": "gp3", "Encrypted": True, "DeleteOnTermination": True}


def test_nodes_require_imdsv2_with_one_hop(default):
    for group in resources(default, "AWS::EKS::Nodegroup").values():
        options = _launch_template_of(default, group["Properties"])["MetadataOptions"]
        assert options == {"HttpTokens": "required", "HttpPutResponseHopLimit": 1}


def test_node_roles_have_ssm_access(default):
    for group in resources(default, "AWS::EKS::Nodegroup").values():
        role = default["Resources"][group["Properties"]["NodeRole"]["Fn::GetAtt"][0]]["Properties"]
        assert any("AmazonSSMManagedInstanceCore" in str(arn) for arn in role["ManagedPolicyArns"])


def test_no_ssh_by_default(default):
    assert resources(default, "AWS::EC2::KeyPair") == {}
    assert "KeyName" not in _launch_template_of(default, nodegroup(default, "test-eks"))


def test_ssh_key_imported_and_port_22_open_only_to_allowed_cidrs(custom):
    key = only(custom, "AWS::EC2::KeyPair")
    assert key["PublicKeyMaterial"].startswith("ssh-ed25519 ")
    # Its name and key are create-only (AWS::EC2::KeyPair): the name carries a digest of the key, so a new key is a new pair.
    assert re.fullmatch(r"gpus-ssh-[0-9a-f]{8}", key["KeyName"])
    data = _launch_template_of(custom, nodegroup(custom, "gpus"))
    assert data["KeyName"] == {"Ref": next(iter(resources(custom, "AWS::EC2::KeyPair")))}
    ssh_groups = [g["Properties"] for g in resources(custom, "AWS::EC2::SecurityGroup").values()
                  if "SSH" in g["Properties"]["GroupDescription"]]
    assert len(ssh_groups) == 1
    assert [(r["CidrIp"], r["FromPort"], r["ToPort"]) for r in ssh_groups[0]["SecurityGroupIngress"]] == [("10.20.0.0/16", 22, 22)]
    # The node keeps the cluster security group beside the SSH one.
    assert len(data["SecurityGroupIds"]) == 2


# --- the system nodegroup --------------------------------------------------------------------

def test_system_nodegroup(default, arm, custom):
    system = nodegroup(default, "test-eks-system")
    # the cheapest Graviton type that holds the system pods with one node lost (domain/system_nodes.py)
    assert system["AmiType"] == "AL2023_ARM_64_STANDARD"
    assert system["InstanceTypes"] == ["t4g.medium"]
    assert system["ScalingConfig"] == {"DesiredSize": 2, "MinSize": 2, "MaxSize": 2}
    assert "Taints" not in system
    assert system["Labels"] == {"studio-go-runner/node-pool": "system"}
    assert nodegroup(arm, "test-eks-system")["AmiType"] == "AL2023_ARM_64_STANDARD"
    assert len(resources(custom, "AWS::EKS::Nodegroup")) == 1


# --- outputs and environment -----------------------------------------------------------------

def test_outputs(default):
    assert _output(default, "ClusterName") == {"Ref": next(iter(resources(default, "AWS::EKS::Cluster")))}
    assert _output(default, "Region") == "us-west-2"
    assert _output(default, "GpuNodegroupName") == nodegroup(default, "test-eks")["NodegroupName"]
    assert _output(default, "UpdateKubeconfigCommand") == "aws eks update-kubeconfig --name test-eks --region us-west-2"
    assert _output(default, "GpuAllocatableCommand") == (
        'kubectl get nodes "-o=custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu"')


def _stack_artifact(outdir):
    """The cluster stack's artifact in the stage's nested assembly (`prod/` by default)."""
    manifest = json.loads((outdir / "assembly-prod" / "manifest.json").read_text())
    (stack,) = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    return stack


def test_stack_name_and_environment(synthesized):
    custom = _stack_artifact(synthesized("custom").outdir)
    assert (custom["properties"]["stackName"], custom["environment"]) == ("GpuCluster-gpu-lab", "aws://123456789012/eu-west-1")
    default = _stack_artifact(synthesized("default").outdir)
    assert (default["properties"]["stackName"], default["environment"]) == ("GpuCluster-test-eks", "aws://unknown-account/us-west-2")
