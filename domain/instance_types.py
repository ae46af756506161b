"""What this project knows about EC2 GPU instance types: vCPUs, memory, NVIDIA GPUs, architecture.

Used to refuse node types that cannot run the runner (no GPU, a GPU the current
NVIDIA driver no longer supports, a non-NVIDIA accelerator, the wrong CPU
architecture for the AMI) and to check that the runner's requests fit one node.
Figures are the EC2 instance type specifications (vCPU, GiB, GPUs); sizes not
listed here are refused with a hint to add them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from domain import botocore_data

Architecture = Literal["x86_64", "arm64"]


@dataclass(frozen=True)
class GpuInstanceType:
    name: str
    vcpus: int
    memory_gib: float
    gpus: int
    gpu_model: str
    architecture: Architecture


def _family(family: str, gpu_model: str, architecture: Architecture, sizes: dict[str, tuple[int, float, int]]) -> dict[str, GpuInstanceType]:
    return {
        f"{family}.{size}": GpuInstanceType(f"{family}.{size}", vcpus, memory, gpus, gpu_model, architecture)
        for size, (vcpus, memory, gpus) in sizes.items()
    }


# size -> (vCPUs, memory GiB, GPUs)
GPU_INSTANCE_TYPES: dict[str, GpuInstanceType] = {
    **_family("g4dn", "NVIDIA T4", "x86_64", {
        "xlarge": (4, 16, 1), "2xlarge": (8, 32, 1), "4xlarge": (16, 64, 1), "8xlarge": (32, 128, 1),
        "16xlarge": (64, 256, 1), "12xlarge": (48, 192, 4), "metal": (96, 384, 8)}),
    **_family("g5", "NVIDIA A10G", "x86_64", {
        "xlarge": (4, 16, 1), "2xlarge": (8, 32, 1), "4xlarge": (16, 64, 1), "8xlarge": (32, 128, 1),
        "16xlarge": (64, 256, 1), "12xlarge": (48, 192, 4), "24xlarge": (96, 384, 4), "48xlarge": (192, 768, 8)}),
    **_family("g6", "NVIDIA L4", "x86_64", {
        "xlarge": (4, 16, 1), "2xlarge": (8, 32, 1), "4xlarge": (16, 64, 1), "8xlarge": (32, 128, 1),
        "16xlarge": (64, 256, 1), "12xlarge": (48, 192, 4), "24xlarge": (96, 384, 4), "48xlarge": (192, 768, 8)}),
    **_family("g6e", "NVIDIA L40S", "x86_64", {
        "xlarge": (4, 32, 1), "2xlarge": (8, 64, 1), "4xlarge": (16, 128, 1), "8xlarge": (32, 256, 1),
        "16xlarge": (64, 512, 1), "12xlarge": (48, 384, 4), "24xlarge": (96, 768, 4), "48xlarge": (192, 1536, 8)}),
    **_family("gr6", "NVIDIA L4", "x86_64", {"4xlarge": (16, 128, 1), "8xlarge": (32, 256, 1)}),
    **_family("g5g", "NVIDIA T4G", "arm64", {
        "xlarge": (4, 8, 1), "2xlarge": (8, 16, 1), "4xlarge": (16, 32, 1), "8xlarge": (32, 64, 1),
        "16xlarge": (64, 128, 2), "metal": (64, 128, 2)}),
    **_family("p3", "NVIDIA V100", "x86_64", {"2xlarge": (8, 61, 1), "8xlarge": (32, 244, 4), "16xlarge": (64, 488, 8)}),
    **_family("p3dn", "NVIDIA V100", "x86_64", {"24xlarge": (96, 768, 8)}),
    **_family("p4d", "NVIDIA A100", "x86_64", {"24xlarge": (96, 1152, 8)}),
    **_family("p4de", "NVIDIA A100", "x86_64", {"24xlarge": (96, 1152, 8)}),
    **_family("p5", "NVIDIA H100", "x86_64", {"4xlarge": (16, 256, 1), "48xlarge": (192, 2048, 8)}),
    **_family("p5e", "NVIDIA H200", "x86_64", {"48xlarge": (192, 2048, 8)}),
    **_family("p5en", "NVIDIA H200", "x86_64", {"48xlarge": (192, 2048, 8)}),
}

# GPU families whose GPUs the NVIDIA driver in today's EKS NVIDIA AMIs (580 branch) no longer supports.
UNSUPPORTED_NVIDIA_FAMILIES: dict[str, str] = {
    "p2": "Tesla K80 (Kepler)",
    "g2": "GRID K520 (Kepler)",
}

# Accelerated families without an NVIDIA GPU.
NON_NVIDIA_FAMILIES: dict[str, str] = {
    "inf1": "AWS Inferentia", "inf2": "AWS Inferentia2", "trn1": "AWS Trainium", "trn1n": "AWS Trainium",
    "trn2": "AWS Trainium2", "dl1": "Habana Gaudi", "dl2q": "Qualcomm AI 100", "g4ad": "AMD Radeon Pro V520",
    "f1": "Xilinx FPGA", "f2": "AMD FPGA", "vt1": "Xilinx video transcoder",
}

SUGGESTED_TYPES = "g4dn.xlarge, g5.xlarge or g6.xlarge"


class InstanceTypeError(ValueError):
    """A node type that cannot run the runner; the message says why and what to use instead."""


def gpu_instance_type(name: str) -> GpuInstanceType:
    """The GPU instance type by name, or InstanceTypeError saying why it cannot serve."""
    if name in GPU_INSTANCE_TYPES:
        return GPU_INSTANCE_TYPES[name]
    family = name.split(".", 1)[0]
    if family in UNSUPPORTED_NVIDIA_FAMILIES:
        raise InstanceTypeError(
            f"{name} has a {UNSUPPORTED_NVIDIA_FAMILIES[family]} GPU, which current NVIDIA drivers no longer support. "
            f"Use a current GPU type such as {SUGGESTED_TYPES}")
    if family in NON_NVIDIA_FAMILIES:
        raise InstanceTypeError(
            f"{name} carries {NON_NVIDIA_FAMILIES[family]}, not an NVIDIA GPU. "
            f"Use an NVIDIA GPU type such as {SUGGESTED_TYPES}")
    if any(known.split(".", 1)[0] == family for known in GPU_INSTANCE_TYPES):
        sizes = ", ".join(sorted(k for k in GPU_INSTANCE_TYPES if k.split(".", 1)[0] == family))
        raise InstanceTypeError(f"{name} is not a size of {family} this project knows. Use one of {sizes}")
    raise InstanceTypeError(f"{name} has no NVIDIA GPU that this project knows of. Use a GPU type such as {SUGGESTED_TYPES}")


@lru_cache(maxsize=1)
def _ec2_instance_types() -> frozenset[str]:
    """Every instance type EC2 accepts, from the EC2 API model botocore ships (the `InstanceType` enum), offline."""
    model = botocore_data.service_model("ec2")
    return frozenset(model["shapes"]["InstanceType"]["enum"])


def is_ec2_instance_type(name: str) -> bool:
    return name in _ec2_instance_types()
