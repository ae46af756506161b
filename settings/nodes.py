"""The GPU nodegroup, the system nodegroup and the GPU checks: who provides the nodes, instance types, counts, AMI, disk, SSH."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from domain import names
from domain.image_pull import FAST_PULL_THROUGHPUT_MIBPS
from domain.instance_types import GpuInstanceType, InstanceTypeError, gpu_instance_type
from domain.system_nodes import GRAVITON_CHOICES
from settings.capacity import AUTOMODE_GPU_FAMILIES, CapacityShape
from settings.errors import SettingError
from settings.fields import SettingsBase, setting
from settings.types import CommaList, Count, Flag, InstanceType, NodegroupName, ReleaseTag, Text, Unique, at_most, quoted
from settings.cidrs import SshCidrs
from stacks.addons.device_plugin import DEVICE_PLUGIN

NVIDIA_AMI_TYPES = {
    "AL2023_x86_64_NVIDIA": "x86_64",
    "AL2023_ARM_64_NVIDIA": "arm64",
    "BOTTLEROCKET_x86_64_NVIDIA": "x86_64",
    "BOTTLEROCKET_ARM_64_NVIDIA": "arm64",
}
END_OF_LIFE_AMI_TYPES = {"AL2_x86_64_GPU", "AL2_x86_64", "AL2_ARM_64"}

MIN_NODE_VOLUME_GIB = 50
MAX_NODE_VOLUME_GIB = 16384  # a gp3 volume holds at most 16 TiB (EBS volume types)
MAX_NODES = 450  # EKS service quota "Nodes per managed node group" (default)

def _volume_size(value: int) -> int:
    if value < MIN_NODE_VOLUME_GIB:
        raise ValueError(f"{value} GiB is too small for the NVIDIA AMI plus CUDA images. Give at least {MIN_NODE_VOLUME_GIB}")
    return value


NodeCount = Annotated[Count, at_most(MAX_NODES, "the EKS quota of nodes per managed nodegroup")]
VolumeSize = Annotated[Count, AfterValidator(_volume_size), at_most(MAX_NODE_VOLUME_GIB, "the largest gp3 volume (16 TiB)")]


def _nodes_max(value: int) -> int:
    if value == 0:
        raise ValueError("0 leaves no room for any GPU node. Give 1 or more")
    return value


def _gpu_types(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("no instance type is given. Give a GPU instance type such as g4dn.xlarge")
    for name in value:
        try:
            gpu_instance_type(name)
        except InstanceTypeError as err:
            raise ValueError(str(err)) from None
    if len({gpu_instance_type(name).architecture for name in value}) > 1:
        raise ValueError(f"{','.join(value)} mixes x86_64 and arm64 types. One nodegroup runs one AMI: list types of one architecture")
    return value


def _gpu_ami_type(value: str) -> str:
    if value in END_OF_LIFE_AMI_TYPES:
        raise ValueError(f"{value} is end of life (AL2 AMIs lost support on 2025-11-26). Use AL2023_x86_64_NVIDIA "
                         "or another of " + ", ".join(NVIDIA_AMI_TYPES))
    if value not in NVIDIA_AMI_TYPES:
        raise ValueError(f"{quoted(value)} is not an NVIDIA AMI type. Use one of {', '.join(NVIDIA_AMI_TYPES)}")
    return value


def _capacity_type(value: str) -> str:
    if value.upper() not in ("ON_DEMAND", "SPOT"):
        raise ValueError(f"{quoted(value)} is not a capacity type. Use ON_DEMAND or SPOT")
    return value.upper()


GpuInstanceTypes = Annotated[CommaList, Unique, AfterValidator(_gpu_types)]


class NodeSettings(SettingsBase):
    # --- who provides the nodes (the shapes: settings/capacity.py) ------------------------
    capacity: CapacityShape = setting("nodegroups", meaning="`nodegroups` (managed nodegroups + cluster-autoscaler) or `automode` "
                                      "(EKS Auto Mode: AWS runs, patches and scales the nodes; README, \"Capacity\")",
                                      runbook="`eksctl create cluster --managed`")

    # --- the GPU nodegroup ----------------------------------------------------------------
    nodegroup_name: NodegroupName | None = setting(None, meaning="start of the GPU nodegroup's name (at most "
                                                   f"{names.NODEGROUP_PREFIX_MAX}): EKS gets `<nodegroupName>-<digest>`, the digest of "
                                                   "`nodeType`, `capacityType` and `gpuAmiType`, so changing one brings up a new "
                                                   "nodegroup before the old one goes (README, \"What a change does\"); the "
                                                   "NodePool's name with `capacity=automode`", runbook="`--nodegroup-name`",
                                                   default_text="the cluster name")
    node_type: GpuInstanceTypes = setting(["g4dn.xlarge"], meaning="GPU instance type; a comma list is allowed (one architecture)",
                                          runbook="`--node-type p2.xlarge`")
    nodes: NodeCount = setting(1, meaning="desired GPU nodes", runbook="`--nodes`")
    nodes_min: NodeCount = setting(1, meaning="minimum GPU nodes", runbook="`--nodes-min`")
    nodes_max: Annotated[NodeCount, AfterValidator(_nodes_max)] = setting(3, meaning="maximum GPU nodes", runbook="`--nodes-max`")
    capacity_type: Annotated[Text, AfterValidator(_capacity_type)] = setting("ON_DEMAND", meaning="`ON_DEMAND` or `SPOT`",
                                                                             runbook="eksctl default on-demand")
    gpu_ami_type: Annotated[Text, AfterValidator(_gpu_ami_type)] = setting(
        "AL2023_x86_64_NVIDIA", meaning="NVIDIA AMI type: " + ", ".join(f"`{t}`" for t in NVIDIA_AMI_TYPES),
        runbook="marketplace GPU AMI subscription")
    node_volume_size: VolumeSize = setting(100, meaning=f"GiB of disk per GPU node (at least {MIN_NODE_VOLUME_GIB})",
                                           runbook="eksctl default volume")
    fast_image_pull: Flag = setting(False, meaning="pull images in parallel on the GPU nodes (SOCI parallel pull: AL2023 "
                                    "nodeadm's `FastImagePull` feature gate, experimental upstream) with the "
                                    f"{FAST_PULL_THROUGHPUT_MIBPS} MiB/s of gp3 throughput nodeadm's docs ask for it")
    ssh_public_key: Text | None = setting(None, meaning="path to an OpenSSH public key (RSA or ED25519) for the GPU nodes",
                                          runbook="`--ssh-access --ssh-public-key`")
    ssh_allowed_cidrs: SshCidrs = setting([], meaning="required with `sshPublicKey`: who may reach port 22 (comma list of CIDRs)",
                                          runbook="eksctl opened 22 to all", default_text="unset")

    # --- the system nodegroup -------------------------------------------------------------
    system_nodes: NodeCount = setting(2, meaning="CPU nodes for system pods; `0` = none, and then GPU nodes are not tainted",
                                      runbook="(none: system pods ran on the GPU node)")
    system_node_type: InstanceType | None = setting(None, meaning="instance type of the system nodes, one of those "
                                                    "`domain/system_nodes.py` knows; it must hold every system pod with one node "
                                                    "lost (checked, and printed on synth)", runbook="",
                                                    default_text="the cheapest of `" + "`, `".join(GRAVITON_CHOICES) + "` that does")

    # --- GPU checks -----------------------------------------------------------------------
    device_plugin_version: ReleaseTag = setting(DEVICE_PLUGIN.version, meaning="NVIDIA device plugin release (not used on Bottlerocket "
                                                "or with `capacity=automode`, which ship their own)",
                                                runbook="`kubectl create -f nvidia-device-plugin.yml` (1.0.0-beta4)")
    gpu_smoke_test: Flag = setting(True, meaning="a Job that runs `nvidia-smi` on a GPU node after each deploy",
                                   runbook="\"GPU Testing\" by hand")
    gpu_test_pods: Flag = setting(False, meaning="also create the runbook's `tf-gpu` and `nvidia-smi` pods (each with a deadline)",
                                  runbook="the `tf-gpu` and `nvidia-smi` pods")
    verify_gpu_on_deploy: Flag = setting(False, meaning="the deploy waits for the smoke test and fails if it never succeeds",
                                         runbook="`kubectl exec -it tf-gpu nvidia-smi`")

    def check(self) -> None:
        if self.nodes_min > self.nodes_max:
            raise SettingError("nodesMin", f"{self.nodes_min} is above nodesMax ({self.nodes_max}). Lower nodesMin or raise nodesMax")
        if not self.automode and not self.nodes_min <= self.nodes <= self.nodes_max:
            raise SettingError("nodes", f"{self.nodes} is outside nodesMin..nodesMax ({self.nodes_min}..{self.nodes_max}). "
                               "Give a count in that range")
        ami_architecture = NVIDIA_AMI_TYPES[self.gpu_ami_type]
        wrong = [name for name in self.node_type if gpu_instance_type(name).architecture != ami_architecture]
        if wrong and not self.automode:  # Auto Mode picks the AMI for the type's architecture itself
            other = next(t for t, arch in NVIDIA_AMI_TYPES.items()
                         if arch != ami_architecture and t.split("_")[0] == self.gpu_ami_type.split("_")[0])
            raise SettingError("nodeType", f"{wrong[0]} is {gpu_instance_type(wrong[0]).architecture} but gpuAmiType "
                               f"{self.gpu_ami_type} is {ami_architecture}. Set gpuAmiType={other} or pick {ami_architecture} node types")
        if self.ssh_public_key is not None and not self.ssh_allowed_cidrs:
            raise SettingError("sshAllowedCidrs", "is required with sshPublicKey. List who may reach port 22, like 203.0.113.0/24")
        if self.ssh_public_key is not None and self.gpu_ami_type.startswith("BOTTLEROCKET"):
            raise SettingError("sshPublicKey", f"{self.gpu_ami_type} nodes run no SSH server. Reach them with Session Manager "
                               "(every node has SSM access), or choose an AL2023 gpuAmiType")
        if self.fast_image_pull and not self.gpu_ami_type.startswith("AL2023"):
            raise SettingError("fastImagePull", f"is nodeadm's FastImagePull, which only AL2023 AMIs run; {self.gpu_ami_type} "
                               "configures its SOCI snapshotter otherwise. Use an AL2023 gpuAmiType, or drop fastImagePull")
        if self.ssh_allowed_cidrs and self.ssh_public_key is None:
            raise SettingError("sshAllowedCidrs", "is set but sshPublicKey is not. Set sshPublicKey too, or drop sshAllowedCidrs")
        if self.verify_gpu_on_deploy and not self.gpu_smoke_test:
            raise SettingError("verifyGpuOnDeploy", "waits for the smoke test, but gpuSmokeTest is false. Set gpuSmokeTest=true too")
        unlaunched = [name for name in self.node_type if name.split(".")[0] not in AUTOMODE_GPU_FAMILIES]
        if self.automode and unlaunched:
            raise SettingError("nodeType", f"{unlaunched[0]} is not a type EKS Auto Mode launches (GPU families: "
                               f"{', '.join(AUTOMODE_GPU_FAMILIES)}). Pick one of those, or use capacity=nodegroups")

    # --- derived values -------------------------------------------------------------------
    @property
    def automode(self) -> bool:
        return self.capacity == "automode"

    @property
    def gpu_instance_types(self) -> list[GpuInstanceType]:
        return [gpu_instance_type(name) for name in self.node_type]

    @property
    def gpu_architecture(self) -> str:
        """The GPU nodes' CPU architecture: their types' (one, checked), which a nodegroup's gpuAmiType matches."""
        return self.gpu_instance_types[0].architecture

    @property
    def taint_gpu_nodes(self) -> bool:
        """GPU nodes are tainted only when system nodes exist to run everything else."""
        return self.system_nodes > 0

    @property
    def device_plugin_needed(self) -> bool:
        """Bottlerocket NVIDIA AMIs and Auto Mode nodes run their own device plugin; AL2023 ones do not."""
        return not self.automode and not self.gpu_ami_type.startswith("BOTTLEROCKET")

    @property
    def gpu_accelerator(self) -> str:
        """Value of the k8s.amazonaws.com/accelerator label: the GPU model when every nodeType shares it."""
        models = {node.gpu_model for node in self.gpu_instance_types}
        return models.pop().lower().replace(" ", "-") if len(models) == 1 else "nvidia"

    @property
    def gpus_per_node(self) -> int:
        """GPUs of the smallest listed type: what the autoscaler may count on for any new node."""
        return min(node.gpus for node in self.gpu_instance_types)

