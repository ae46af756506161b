"""Proof that a pod can use a GPU: a self-cleaning smoke-test Job, and optionally the runbook's test Pods.

The runbook's "GPU Testing" step ran a `tf-gpu` Pod and an `nvidia-smi` Pod by hand. Here a Job
runs `nvidia-smi` on every deploy and removes itself; the two Pods can be switched on for a manual
check. Nothing here may hold a GPU forever: every object has a deadline.
"""
from __future__ import annotations

from typing import Any, Optional

import cdk8s
from constructs import Construct

from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_RESOURCE, GPU_TOLERATION
from charts.object_names import SMOKE_TEST_DEADLINE_SECONDS, SMOKE_TEST_JOB_NAME

TF_GPU_POD_NAME = "tf-gpu"
NVIDIA_SMI_POD_NAME = "nvidia-smi"

# Newest CUDA 12 base (CUDA 12.9 needs driver >= 575): the 580 driver branch of the AL2023 and
# Bottlerocket NVIDIA AMIs runs it. CUDA 13.0 would give nvidia-smi nothing more. Pulled from
# NVIDIA's own registry, like the device plugin, so no anonymous pull limit applies.
CUDA_BASE_IMAGE = "nvcr.io/nvidia/cuda:12.9.1-base-ubuntu24.04"

# Newest TensorFlow training GPU image in aws/deep-learning-containers available_images.md.
# The EC2-flavoured TF images stopped at 2.18.0; the SageMaker flavour is the same image plus the
# SageMaker training toolkit, which our command override bypasses. CUDA 12.5 runs on the 580 driver.
TENSORFLOW_TRAINING_GPU_TAG = "2.19.0-gpu-py312-cu125-ubuntu22.04-sagemaker"

# Deep Learning Containers registry account per region (available_images.md, "Region Availability").
DLC_REGISTRY_ACCOUNTS: dict[str, str] = {
    "us-east-1": "763104351884",
    "us-east-2": "763104351884",
    "us-west-1": "763104351884",
    "us-west-2": "763104351884",
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "ap-east-2": "763104351884",
    "ap-south-1": "763104351884",
    "ap-south-2": "772153158452",
    "ap-northeast-1": "763104351884",
    "ap-northeast-2": "763104351884",
    "ap-northeast-3": "364406365360",
    "ap-southeast-1": "763104351884",
    "ap-southeast-2": "763104351884",
    "ap-southeast-3": "907027046896",
    "ap-southeast-4": "457447274322",
    "ap-southeast-5": "550225433462",
    "ap-southeast-7": "590183813437",
    "ca-central-1": "763104351884",
    "ca-west-1": "204538143572",
    "eu-central-1": "763104351884",
    "eu-central-2": "380420809688",
    "eu-north-1": "763104351884",
    "eu-south-1": "692866216735",
    "eu-south-2": "503227376785",
    "eu-west-1": "763104351884",
    "eu-west-2": "763104351884",
    "eu-west-3": "763104351884",
    "il-central-1": "780543022126",
    "me-central-1": "914824155844",
    "me-south-1": "217643126080",
    "mx-central-1": "637423239942",
    "sa-east-1": "763104351884",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
}

SMOKE_TEST_RETRIES = 2
# Kept one hour after it finishes so a deploy or pipeline step can still read its status.
SMOKE_TEST_TTL_SECONDS = 3600
# The same scale-up allowance; the CUDA base image is small.
NVIDIA_SMI_POD_DEADLINE_SECONDS = 1800
# One hour of sleep to `kubectl exec` into, plus the scale-up and the multi-GB TensorFlow image pull.
TF_GPU_SLEEP_SECONDS = 3600
TF_GPU_POD_DEADLINE_SECONDS = 5400

# nvidia-smi needs almost nothing; requests = limits keeps the pod Guaranteed and small.
_SMOKE_TEST_RESOURCES: dict[str, Any] = {"cpu": "100m", "memory": "128Mi", GPU_RESOURCE: 1}
# Enough for `import tensorflow` on a GPU when someone execs into tf-gpu; requests = limits.
_TF_GPU_RESOURCES: dict[str, Any] = {"cpu": "1", "memory": "1024Mi", GPU_RESOURCE: 1}
# Pod Security `restricted` in full. None of these images needs root: nvidia-smi and `sleep` only read, and the
# GPU device nodes are world read-writable (the NVIDIA driver's default NVreg_DeviceFileMode, 0666). 65534 is
# `nobody`, a UID above checkov's 10000 that owns no file in these images. The NVIDIA runtime's createContainer
# hooks write the library cache before runc remounts the root read-only, so the driver libraries still load.
NON_ROOT_UID = 65534
_POD_SECURITY: dict[str, Any] = {"runAsNonRoot": True, "runAsUser": NON_ROOT_UID, "runAsGroup": NON_ROOT_UID,
                                 "seccompProfile": {"type": "RuntimeDefault"}}
_RESTRICTED: dict[str, Any] = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}
# tf-gpu's scratch for a shell someone execs into: HOME and /tmp on an emptyDir, the root read-only.
_SCRATCH_DIR = "/tmp"
_SCRATCH_LIMIT = "1Gi"


def tensorflow_gpu_image(region: str) -> str:
    """The TensorFlow training GPU Deep Learning Container for `region` (ECR is regional)."""
    account = DLC_REGISTRY_ACCOUNTS.get(region)
    if account is None:
        raise ValueError(f"no AWS Deep Learning Containers registry known for region {region!r}")
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{domain}/tensorflow-training:{TENSORFLOW_TRAINING_GPU_TAG}"


class GpuChecksChart(cdk8s.Chart):
    """The GPU smoke-test Job (default on) and the runbook's tf-gpu and nvidia-smi Pods (default off)."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        region: str,
        smoke_test: bool = True,
        test_pods: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.smoke_test_job: Optional[cdk8s.ApiObject] = None
        self.test_pods: list[cdk8s.ApiObject] = []

        if smoke_test:
            self.smoke_test_job = _api_object(
                self, "SmokeTestJob", "batch/v1", "Job", SMOKE_TEST_JOB_NAME, namespace, _smoke_test_job_spec()
            )
        if test_pods:
            self.test_pods = [
                _api_object(self, "TfGpuPod", "v1", "Pod", TF_GPU_POD_NAME, namespace, _tf_gpu_pod_spec(region)),
                _api_object(self, "NvidiaSmiPod", "v1", "Pod", NVIDIA_SMI_POD_NAME, namespace, _nvidia_smi_pod_spec()),
            ]


def _api_object(
    scope: Construct, id: str, api_version: str, kind: str, name: str, namespace: str, spec: dict[str, Any]
) -> cdk8s.ApiObject:
    # Plain ApiObject: cdk8s-plus would add runAsNonRoot (the CUDA and DLC images run as root)
    # and generated selector labels.
    obj = cdk8s.ApiObject(
        scope,
        id,
        api_version=api_version,
        kind=kind,
        metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace, labels={"app": name}),
    )
    obj.add_json_patch(cdk8s.JsonPatch.add("/spec", spec))
    return obj


def _smoke_test_job_spec() -> dict[str, Any]:
    # The pod template holds only constants: a Job's template is immutable, so anything that
    # changed between synths would make the next apply fail.
    return {
        "backoffLimit": SMOKE_TEST_RETRIES,
        "activeDeadlineSeconds": SMOKE_TEST_DEADLINE_SECONDS,
        "ttlSecondsAfterFinished": SMOKE_TEST_TTL_SECONDS,
        "template": {
            "metadata": {"labels": {"app": SMOKE_TEST_JOB_NAME}},
            "spec": {
                "restartPolicy": "Never",  # failed pods stay for `kubectl logs`; the Job retries
                "automountServiceAccountToken": False,  # never talks to the API
                "securityContext": dict(_POD_SECURITY),
                "tolerations": [dict(GPU_TOLERATION)],
                "nodeSelector": dict(GPU_NODE_SELECTOR),
                "containers": [
                    {
                        "name": "nvidia-smi",
                        "image": CUDA_BASE_IMAGE,
                        # A small image, pulled with the registry's say on every run: no stale or unchecked cache.
                        "imagePullPolicy": "Always",
                        "command": ["nvidia-smi"],
                        "resources": {"requests": dict(_SMOKE_TEST_RESOURCES), "limits": dict(_SMOKE_TEST_RESOURCES)},
                        "securityContext": dict(_RESTRICTED),
                    }
                ],
            },
        },
    }


def _tf_gpu_pod_spec(region: str) -> dict[str, Any]:
    return {
        # Never: a finished sleep must not restart and keep the GPU.
        "restartPolicy": "Never",
        "activeDeadlineSeconds": TF_GPU_POD_DEADLINE_SECONDS,
        "automountServiceAccountToken": False,
        "securityContext": dict(_POD_SECURITY),
        # The runbook's toleration: permissive, so it lands on a tainted GPU node.
        "tolerations": [{"operator": "Exists"}],
        "nodeSelector": dict(GPU_NODE_SELECTOR),
        "containers": [
            {
                "name": "gpu",
                "image": tensorflow_gpu_image(region),
                "imagePullPolicy": "IfNotPresent",  # a multi-GB image: pulled once per node
                "command": ["/bin/sh", "-c"],
                "args": [f"sleep {TF_GPU_SLEEP_SECONDS}"],
                "env": [{"name": "HOME", "value": _SCRATCH_DIR}],  # Keras and pip caches, when someone runs Python
                "resources": {"requests": dict(_TF_GPU_RESOURCES), "limits": dict(_TF_GPU_RESOURCES)},
                "securityContext": dict(_RESTRICTED),
                "volumeMounts": [{"name": "scratch", "mountPath": _SCRATCH_DIR}],
            }
        ],
        "volumes": [{"name": "scratch", "emptyDir": {"sizeLimit": _SCRATCH_LIMIT}}],
    }


def _nvidia_smi_pod_spec() -> dict[str, Any]:
    return {
        "restartPolicy": "OnFailure",
        "activeDeadlineSeconds": NVIDIA_SMI_POD_DEADLINE_SECONDS,
        "automountServiceAccountToken": False,
        "securityContext": dict(_POD_SECURITY),
        "tolerations": [dict(GPU_TOLERATION)],
        "nodeSelector": dict(GPU_NODE_SELECTOR),
        "containers": [
            {
                "name": "nvidia-smi",
                "image": CUDA_BASE_IMAGE,
                "imagePullPolicy": "Always",
                "args": ["nvidia-smi"],
                "resources": {"requests": dict(_SMOKE_TEST_RESOURCES), "limits": dict(_SMOKE_TEST_RESOURCES)},
                "securityContext": dict(_RESTRICTED),
            }
        ],
    }
