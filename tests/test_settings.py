"""Settings: coercion, defaults from the environment, and every bad input with its exact message."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from pydantic.alias_generators import to_camel

from settings import SETTING_NAMES, Settings, load_settings, settings_table, target_line
from settings.model import GROUPS
from tests.conftest import FIXTURES
from tests.setting_errors import error_line, setting_values

KEY = str(FIXTURES / "id_ed25519.pub")


def test_defaults_without_context_or_environment():
    s = load_settings({}, {})
    assert (s.cluster.cluster_name, s.cluster.region, s.cluster.account, s.cluster.kubernetes_version) == ("test-eks", "us-west-2", None, "1.36")
    assert (s.gpu_nodegroup_name, s.node.node_type, s.node.nodes, s.node.nodes_min, s.node.nodes_max) == ("test-eks", ["g4dn.xlarge"], 1, 1, 3)
    assert (s.node.capacity_type, s.node.gpu_ami_type, s.node.node_volume_size) == ("ON_DEMAND", "AL2023_x86_64_NVIDIA", 100)
    assert (s.node.system_nodes, s.system_instance_type, s.cluster.nat_gateways) == (2, "t4g.medium", 1)
    assert (s.node.ssh_public_key, s.node.ssh_allowed_cidrs, s.cluster.admin_principal_arns, s.cluster.endpoint_public_cidrs) == (None, [], [], ["0.0.0.0/0"])
    assert s.node.taint_gpu_nodes


def test_environment_fallbacks_in_order():
    s = load_settings({}, {"AWS_CLUSTER_NAME": "from-env", "AWS_DEFAULT_REGION": "eu-west-1",
                           "CDK_DEFAULT_REGION": "us-east-1", "CDK_DEFAULT_ACCOUNT": "123456789012"})
    assert (s.cluster.cluster_name, s.cluster.region, s.cluster.account) == ("from-env", "eu-west-1", "123456789012")
    assert load_settings({}, {"CDK_DEFAULT_REGION": "us-east-1"}).cluster.region == "us-east-1"


def test_context_wins_over_environment():
    s = load_settings({"clusterName": "from-context", "region": "ap-south-1"}, {"AWS_CLUSTER_NAME": "env", "AWS_DEFAULT_REGION": "eu-west-1"})
    assert (s.cluster.cluster_name, s.cluster.region) == ("from-context", "ap-south-1")


def test_strings_from_the_command_line_are_coerced():
    s = load_settings({"nodes": "2", "nodesMax": "4", "nodeType": "g5.xlarge, g6.xlarge", "systemNodes": "0", "autoscaling": "false",
                       "capacityType": "spot", "endpointPublicCidrs": "203.0.113.0/24"}, {})
    assert (s.node.nodes, s.node.nodes_max, s.node.node_type, s.node.system_nodes, s.node.capacity_type) == (2, 4, ["g5.xlarge", "g6.xlarge"], 0, "SPOT")
    assert not s.node.taint_gpu_nodes


def test_json_values_from_cdk_json_are_accepted():
    s = load_settings({"nodes": 2, "nodeType": ["g5.xlarge"], "endpointPublicCidrs": ["203.0.113.0/24"]}, {})
    assert (s.node.nodes, s.node.node_type, s.cluster.endpoint_public_cidrs) == (2, ["g5.xlarge"], ["203.0.113.0/24"])


def test_nodegroup_name_defaults_to_the_cluster_name():
    assert load_settings({"clusterName": "lab"}, {}).gpu_nodegroup_name == "lab"
    assert load_settings({"clusterName": "lab", "nodegroupName": "gpus"}, {}).gpu_nodegroup_name == "gpus"


def test_cdk_own_context_keys_are_not_settings():
    # cdk.json's feature flags and the CLI's own keys share the context with the settings; they are not unknown settings.
    s = load_settings({"@aws-cdk/core:checkSecretUsage": True, "aws:cdk:enable-path-metadata": True,
                       "availability-zones:account=1:region=x": ["a"]}, {})
    assert s == load_settings({}, {})


def test_ssh_key_is_read():
    s = load_settings({"sshPublicKey": KEY, "sshAllowedCidrs": "10.0.0.0/8"}, {})
    assert s.files.ssh_key.material.startswith("ssh-ed25519 ")


BAD_INPUT = [
    ({"nodeType": "m5.large"}, "error: nodeType: m5.large has no NVIDIA GPU that this project knows of. "
                               "Use a GPU type such as g4dn.xlarge, g5.xlarge or g6.xlarge."),
    ({"nodeType": "p2.xlarge"}, "error: nodeType: p2.xlarge has a Tesla K80 (Kepler) GPU, which current NVIDIA drivers no longer support. "
                                "Use a current GPU type such as g4dn.xlarge, g5.xlarge or g6.xlarge."),
    ({"nodeType": "inf2.xlarge"}, "error: nodeType: inf2.xlarge carries AWS Inferentia2, not an NVIDIA GPU. "
                                  "Use an NVIDIA GPU type such as g4dn.xlarge, g5.xlarge or g6.xlarge."),
    ({"nodeType": "g5g.xlarge"}, "error: nodeType: g5g.xlarge is arm64 but gpuAmiType AL2023_x86_64_NVIDIA is x86_64. "
                                 "Set gpuAmiType=AL2023_ARM_64_NVIDIA or pick x86_64 node types."),
    ({"nodeType": "g5.xlarge,g5g.xlarge"}, "error: nodeType: g5.xlarge,g5g.xlarge mixes x86_64 and arm64 types. "
                                           "One nodegroup runs one AMI: list types of one architecture."),
    ({"nodeType": "g5.3xlarge"}, "error: nodeType: g5.3xlarge is not a size of g5 this project knows. Use one of g5.12xlarge, g5.16xlarge, "
                                 "g5.24xlarge, g5.2xlarge, g5.48xlarge, g5.4xlarge, g5.8xlarge, g5.xlarge."),
    ({"nodesMin": "4"}, "error: nodesMin: 4 is above nodesMax (3). Lower nodesMin or raise nodesMax."),
    ({"nodes": "5"}, "error: nodes: 5 is outside nodesMin..nodesMax (1..3). Give a count in that range."),
    ({"nodes": "0"}, "error: nodes: 0 is outside nodesMin..nodesMax (1..3). Give a count in that range."),
    ({"nodes": "-1"}, "error: nodes: -1 is negative. Give 0 or more."),
    ({"nodesMax": "three"}, "error: nodesMax: 'three' is not a whole number. Give a count such as 1."),
    ({"nodes": "1.5"}, "error: nodes: '1.5' is not a whole number. Give a count such as 1."),
    ({"nodesMax": "0", "nodesMin": "0", "nodes": "0"}, "error: nodesMax: 0 leaves no room for any GPU node. Give 1 or more."),
    ({"clusterName": "my cluster"}, "error: clusterName: 'my cluster' is not a valid EKS cluster name. "
                                    "Use 1 to 100 letters, digits, '-' or '_', starting with a letter or digit."),
    ({"clusterName": "a" * 101}, f"error: clusterName: '{'a' * 55}...' is not a valid EKS cluster name. "
                                 "Use 1 to 100 letters, digits, '-' or '_', starting with a letter or digit."),
    ({"region": "mars-1"}, "error: region: 'mars-1' is not an AWS region. Use a region name such as us-west-2."),
    ({"account": "12345"}, "error: account: '12345' is not an AWS account id. Give the 12-digit account id, or leave it unset."),
    ({"kubernetesVersion": "1.20"}, "error: kubernetesVersion: '1.20' is not supported. Use one of 1.34, 1.35, 1.36."),
    ({"capacityType": "CHEAP"}, "error: capacityType: 'CHEAP' is not a capacity type. Use ON_DEMAND or SPOT."),
    ({"gpuAmiType": "AL2_x86_64_GPU"}, "error: gpuAmiType: AL2_x86_64_GPU is end of life (AL2 AMIs lost support on 2025-11-26). "
                                      "Use AL2023_x86_64_NVIDIA or another of AL2023_x86_64_NVIDIA, AL2023_ARM_64_NVIDIA, "
                                      "BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA."),
    ({"gpuAmiType": "WINDOWS"}, "error: gpuAmiType: 'WINDOWS' is not an NVIDIA AMI type. Use one of AL2023_x86_64_NVIDIA, "
                                "AL2023_ARM_64_NVIDIA, BOTTLEROCKET_x86_64_NVIDIA, BOTTLEROCKET_ARM_64_NVIDIA."),
    ({"sshPublicKey": KEY}, "error: sshAllowedCidrs: is required with sshPublicKey. List who may reach port 22, like 203.0.113.0/24."),
    ({"sshPublicKey": KEY, "sshAllowedCidrs": "10.0.0.0/8", "gpuAmiType": "BOTTLEROCKET_x86_64_NVIDIA"},
     "error: sshPublicKey: BOTTLEROCKET_x86_64_NVIDIA nodes run no SSH server. Reach them with Session Manager "
     "(every node has SSM access), or choose an AL2023 gpuAmiType."),
    ({"sshAllowedCidrs": "10.0.0.0/8"}, "error: sshAllowedCidrs: is set but sshPublicKey is not. Set sshPublicKey too, or drop sshAllowedCidrs."),
    ({"sshPublicKey": KEY, "sshAllowedCidrs": "10.0.0.1/8"},
     "error: sshAllowedCidrs: '10.0.0.1/8' is not an IPv4 CIDR block. Write it like 203.0.113.0/24."),
    ({"endpointPublicCidrs": "203.0.113.0/33"}, "error: endpointPublicCidrs: '203.0.113.0/33' is not an IPv4 CIDR block. Write it like 203.0.113.0/24."),
    ({"endpointPublicCidrs": "203.0.113.7"}, "error: endpointPublicCidrs: '203.0.113.7' has no prefix length. Write it like 203.0.113.7/32."),
    ({"adminPrincipalArns": "arn:aws:iam::123:role/Admin"},
     "error: adminPrincipalArns: 'arn:aws:iam::123:role/Admin' is not an IAM role or user ARN. Write it like arn:aws:iam::123456789012:role/Admin."),
    ({"nodeVolumeSize": "5"}, "error: nodeVolumeSize: 5 GiB is too small for the NVIDIA AMI plus CUDA images. Give at least 50."),
    ({"systemNodes": "-1"}, "error: systemNodes: -1 is negative. Give 0 or more."),
    ({"systemNodeType": "large"}, "error: systemNodeType: 'large' is not an EC2 instance type. Write one that exists, like t3.large."),
    ({"natGateways": "0"}, "error: natGateways: 0 is below 1: nodes in private subnets need a NAT gateway. Give 1 or more."),
    ({"nodeTyp": "g5.xlarge"}, "error: nodeTyp: unknown setting; did you mean nodeType?"),
    ({"zzz": "1"}, "error: zzz: unknown setting; see the settings table in README.md."),
]


@pytest.mark.parametrize(("context", "message"), BAD_INPUT, ids=[next(iter(c)) + "=" + str(next(iter(c.values())))[:20] for c, _ in BAD_INPUT])
def test_bad_input_has_one_exact_message(context, message):
    assert error_line(context) == message


def test_missing_ssh_key_file(tmp_path: Path):
    missing = tmp_path / "nope.pub"
    assert error_line({"sshPublicKey": str(missing), "sshAllowedCidrs": "10.0.0.0/8"}) == (
        f"error: sshPublicKey: {missing} does not exist. Give the path of an OpenSSH public key, such as ~/.ssh/id_ed25519.pub.")


def test_private_ssh_key_is_refused_and_never_read_into_settings(tmp_path: Path):
    private = tmp_path / "id_ed25519"
    private.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n")
    message = error_line({"sshPublicKey": str(private), "sshAllowedCidrs": "10.0.0.0/8"})
    assert message == f"error: sshPublicKey: {private} is a private key, which must never leave your machine. Give the .pub file beside it."
    assert "not-a-real-key" not in message


def test_a_file_that_is_not_a_public_key(tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    assert error_line({"sshPublicKey": str(other), "sshAllowedCidrs": "10.0.0.0/8"}) == (
        f"error: sshPublicKey: {other} is not an OpenSSH RSA or ED25519 public key EC2 imports: it does not start with ssh-ed25519 "
        "or ssh-rsa and a key. Give the .pub file of an ssh-ed25519 key (ssh-keygen -t ed25519).")


def _rsa_line(modulus_bits: int, kind: bytes = b"ssh-rsa") -> str:
    """An ssh-rsa line in the wire format of RFC 4253 section 6.6: string type, mpint e, mpint n."""
    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data
    n = (1 << (modulus_bits - 1)) + 1
    body = field(kind) + field((65537).to_bytes(3, "big")) + field(b"\x00" + n.to_bytes(modulus_bits // 8, "big"))
    return "ssh-rsa " + base64.b64encode(body).decode() + " lab"


@pytest.mark.parametrize("line, problem", [
    # The shape the old regular expression took for a key: the type's field, then zeros that are no fields.
    ("ssh-rsa AAAAB3NzaC1yc2E" + "A" * 321 + " x", "holds no readable ssh-rsa key (a field's length is cut short)"),
    (_rsa_line(1024), "holds a 1024-bit RSA key; use 2048 bits or more, or ED25519"),
    (_rsa_line(2048, kind=b"ssh-ed25519"), "says ssh-rsa but its key body is not one"),
    ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA== me", "holds no readable ssh-ed25519 key (a field runs past the end of the key)"),
    ("ssh-rsa !!!", "holds no readable ssh-rsa key (its body is not base64)"),
])
def test_a_public_key_is_parsed_not_matched(tmp_path: Path, line, problem):
    key = tmp_path / "key.pub"
    key.write_text(line + "\n")
    assert error_line({"sshPublicKey": str(key), "sshAllowedCidrs": "10.0.0.0/8"}) == (
        f"error: sshPublicKey: {key} is not an OpenSSH RSA or ED25519 public key EC2 imports: it {problem}. "
        "Give the .pub file of an ssh-ed25519 key (ssh-keygen -t ed25519).")


def test_a_real_rsa_key_of_2048_bits_is_taken(tmp_path: Path):
    key = tmp_path / "key.pub"
    key.write_text(_rsa_line(2048) + "\n")
    assert load_settings({"sshPublicKey": str(key), "sshAllowedCidrs": "10.0.0.0/8"}, {}).files.ssh_key.material.startswith("ssh-rsa ")


def test_readme_settings_table_is_generated_from_the_model():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert settings_table() in readme, "README.md's settings table is stale: paste the output of `python -m settings`"
    assert all(f"`{name}`" in readme for name in SETTING_NAMES)


@pytest.mark.parametrize(("context", "environ", "line"), [
    ({}, {}, "note: target: account unset (an environment-agnostic template), region us-west-2 (default)"),
    # What the CDK CLI gives an app when nothing is configured: CDK_DEFAULT_REGION=us-east-1, no account.
    ({}, {"CDK_DEFAULT_REGION": "us-east-1"}, "note: target: account unset (an environment-agnostic template), "
                                              "region us-east-1 ($CDK_DEFAULT_REGION, set by the CDK CLI from your AWS profile, else us-east-1)"),
    ({"region": "eu-west-1"}, {"AWS_DEFAULT_REGION": "us-east-2", "CDK_DEFAULT_ACCOUNT": "123456789012"},
     "note: target: account 123456789012 ($CDK_DEFAULT_ACCOUNT), region eu-west-1 (-c or cdk.json)"),
    ({"pipeline": "true", "account": "123456789012", "pipelineRepository": "o/r", "pipelineTargets": "a=111111111111/eu-west-1",
      "pipelineConnectionArn": "arn:aws:codeconnections:us-west-2:123456789012:connection/12345678-1234-1234-1234-123456789012"},
     {"AWS_DEFAULT_REGION": "us-west-2"},
     "note: target: account 123456789012 (-c or cdk.json), region us-west-2 ($AWS_DEFAULT_REGION); "
     "the pipeline deploys to a=111111111111/eu-west-1"),
])
def test_each_synth_names_its_target_and_where_account_and_region_came_from(context, environ, line):
    assert target_line(load_settings(context, environ)) == line


def test_a_bad_value_from_the_environment_names_its_variable():
    assert error_line({}, {"AWS_CLUSTER_NAME": "a_b"}).startswith("error: clusterName: from $AWS_CLUSTER_NAME: 'a_b' holds '_'")
    assert error_line({}, {"CDK_DEFAULT_REGION": "mars-1"}) == (
        "error: region: from $CDK_DEFAULT_REGION: 'mars-1' is not an AWS region. Use a region name such as us-west-2.")


def test_the_same_setting_from_the_context_names_no_variable():
    assert error_line({"region": "mars-1"}, {"AWS_DEFAULT_REGION": "us-west-2"}) == (
        "error: region: 'mars-1' is not an AWS region. Use a region name such as us-west-2.")


def test_settings_are_one_flat_set_in_the_order_of_the_concerns():
    """The groups are the fields of one model, one per concern; users (and the README table) see their settings flat, in this order."""
    from settings.cluster import ClusterSettings
    from settings.credentials import CredentialSettings
    from settings.delivery import DeliverySettings
    from settings.nodes import NodeSettings
    from settings.observability import ObservabilitySettings
    from settings.runner import RunnerSettings
    from settings.scaling import ScalingSettings
    groups = (ClusterSettings, NodeSettings, RunnerSettings, CredentialSettings, ScalingSettings, DeliverySettings, ObservabilitySettings)
    assert [Settings.model_fields[name].annotation for name in GROUPS] == list(groups)
    assert [to_camel(name) for group in groups for name in group.model_fields] == list(SETTING_NAMES)
    assert SETTING_NAMES[:3] == ("clusterName", "region", "account") and SETTING_NAMES[-1] == "maxMessageAgeMinutes"
    assert list(setting_values(load_settings({}, {}))) == list(SETTING_NAMES)
