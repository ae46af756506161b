"""GpuChecksChart: the GPU smoke-test Job and the runbook's optional tf-gpu and nvidia-smi Pods."""
from __future__ import annotations

import cdk8s
import pytest

from charts.gpu_checks import CUDA_BASE_IMAGE, GpuChecksChart, tensorflow_gpu_image
from charts.object_names import SMOKE_TEST_JOB_NAME
from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TOLERATION
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict

NAMESPACE = "studioml"
REGION = "us-west-2"
GPU = "nvidia.com/gpu"


def _build(**options) -> tuple[GpuChecksChart, list[dict]]:
    chart = GpuChecksChart(cdk8s.Testing.app(), "GpuChecks", namespace=NAMESPACE, region=REGION, **options)
    return chart, cdk8s.Testing.synth(chart)


@pytest.fixture(scope="module")
def default():
    return _build()


@pytest.fixture(scope="module")
def with_pods():
    return _build(test_pods=True)


@pytest.fixture(scope="module")
def without_smoke_test():
    return _build(smoke_test=False)


@pytest.fixture(scope="module")
def job(default) -> dict:
    return find(default[1], "Job", SMOKE_TEST_JOB_NAME)


@pytest.fixture(scope="module")
def job_pod(job) -> dict:
    return job["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def tf_gpu(with_pods) -> dict:
    return find(with_pods[1], "Pod", "tf-gpu")


@pytest.fixture(scope="module")
def nvidia_smi(with_pods) -> dict:
    return find(with_pods[1], "Pod", "nvidia-smi")


# --- which objects each configuration renders -------------------------------------------

def test_default_is_the_smoke_test_only(default):
    chart, objects = default
    assert names(objects) == [f"Job/{SMOKE_TEST_JOB_NAME}"]
    assert chart.smoke_test_job is not None and chart.smoke_test_job.name == SMOKE_TEST_JOB_NAME
    assert chart.test_pods == []


def test_test_pods_add_both_pods(with_pods):
    chart, objects = with_pods
    assert sorted(names(objects)) == sorted([f"Job/{SMOKE_TEST_JOB_NAME}", "Pod/tf-gpu", "Pod/nvidia-smi"])
    assert sorted(p.name for p in chart.test_pods) == ["nvidia-smi", "tf-gpu"]


def test_smoke_test_can_be_off(without_smoke_test):
    chart, objects = without_smoke_test
    assert objects == []
    assert chart.smoke_test_job is None


# --- smoke-test Job -----------------------------------------------------------------------

def test_job_identity(job):
    assert job["apiVersion"] == "batch/v1"
    assert job["metadata"]["namespace"] == NAMESPACE
    assert job["spec"]["template"]["metadata"]["labels"] == {"app": SMOKE_TEST_JOB_NAME}


def test_job_runs_nvidia_smi_on_pinned_cuda_base(job_pod):
    (container,) = job_pod["containers"]
    assert container["image"] == CUDA_BASE_IMAGE
    assert container["command"] == ["nvidia-smi"]


def test_cuda_base_image_is_pinned_cuda_12_or_13_base():
    repository, tag = CUDA_BASE_IMAGE.rsplit(":", 1)
    assert repository.endswith("nvidia/cuda")
    assert tag.split(".")[0] in ("12", "13") and "-base-" in tag


def test_job_asks_one_gpu_and_small_guaranteed_resources(job_pod):
    (container,) = job_pod["containers"]
    limits, requests = container["resources"]["limits"], container["resources"]["requests"]
    assert limits[GPU] == 1
    assert requests == limits
    assert set(limits) == {"cpu", "memory", GPU}


def test_job_runs_on_gpu_nodes(job_pod):
    assert job_pod["nodeSelector"] == GPU_NODE_SELECTOR
    assert job_pod["tolerations"] == [GPU_TOLERATION]


def test_job_is_bounded(job, job_pod):
    spec = job["spec"]
    assert job_pod["restartPolicy"] in ("Never", "OnFailure")
    assert 0 < spec["backoffLimit"] <= 3
    # room for a GPU node to scale up from zero and pull the image, but not unbounded
    assert 900 <= spec["activeDeadlineSeconds"] <= 3600
    # readable by a deploy step for a while, then cleaned up
    assert 1800 <= spec["ttlSecondsAfterFinished"] <= 86400


def test_job_template_is_stable_across_synths(job):
    # A Job's template is immutable: a second synth must render it identically.
    _, again = _build()
    assert find(again, "Job", SMOKE_TEST_JOB_NAME)["spec"]["template"] == job["spec"]["template"]


# --- runbook Pods ---------------------------------------------------------------------------

def test_tf_gpu_pod(tf_gpu):
    spec = tf_gpu["spec"]
    (container,) = spec["containers"]
    assert tf_gpu["metadata"]["namespace"] == NAMESPACE
    assert container["image"] == tensorflow_gpu_image(REGION)
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["command"] == ["/bin/sh", "-c"]
    assert container["resources"] == {"requests": {"cpu": "1", "memory": "1024Mi", GPU: 1}, "limits": {"cpu": "1", "memory": "1024Mi", GPU: 1}}
    assert spec["tolerations"] == [{"operator": "Exists"}]
    assert spec["nodeSelector"] == GPU_NODE_SELECTOR


def test_tf_gpu_pod_does_not_hold_the_gpu_forever(tf_gpu):
    spec = tf_gpu["spec"]
    (container,) = spec["containers"]
    (script,) = container["args"]
    verb, seconds = script.split()
    assert verb == "sleep" and int(seconds) > 0
    assert spec["restartPolicy"] != "Always"  # a finished sleep must not start again
    assert int(seconds) < spec["activeDeadlineSeconds"] <= 3 * 3600


def test_nvidia_smi_pod(nvidia_smi):
    spec = nvidia_smi["spec"]
    (container,) = spec["containers"]
    assert nvidia_smi["metadata"]["namespace"] == NAMESPACE
    assert container["image"] == CUDA_BASE_IMAGE
    assert container["args"] == ["nvidia-smi"]
    assert container["resources"]["limits"] == container["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi", GPU: 1}
    assert spec["restartPolicy"] == "OnFailure"
    assert spec["tolerations"] == [GPU_TOLERATION]
    assert spec["nodeSelector"] == GPU_NODE_SELECTOR
    assert 0 < spec["activeDeadlineSeconds"] <= 3600


# --- hardening: Pod Security `restricted` in full, no API token, pulled fresh --------------------
# The CUDA base image (nvcr.io/nvidia/cuda ...-base-) and the DLC image run nvidia-smi / sleep, which read only;
# the GPU device nodes are world read-writable by the NVIDIA driver's default (NVreg_DeviceFileMode 0666).

RESTRICTED_POD = {"runAsNonRoot": True, "runAsUser": 65534, "runAsGroup": 65534, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": True}


@pytest.mark.parametrize("fixture", ["job_pod", "tf_gpu", "nvidia_smi"])
def test_every_check_pod_is_restricted_and_tokenless(request, fixture):
    obj = request.getfixturevalue(fixture)
    spec = obj["spec"] if "spec" in obj else obj
    assert spec["automountServiceAccountToken"] is False
    assert spec["securityContext"] == RESTRICTED_POD
    (container,) = spec["containers"]
    assert container["securityContext"] == RESTRICTED_CONTAINER
    assert container["resources"]["requests"] == container["resources"]["limits"]


def test_small_images_are_pulled_on_every_run(job_pod, nvidia_smi):
    assert job_pod["containers"][0]["imagePullPolicy"] == "Always"
    assert nvidia_smi["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_tf_gpu_writes_only_to_its_scratch_volume(tf_gpu):
    spec = tf_gpu["spec"]
    (container,) = spec["containers"]
    assert container["env"] == [{"name": "HOME", "value": "/tmp"}]
    assert container["volumeMounts"] == [{"name": "scratch", "mountPath": "/tmp"}]
    assert spec["volumes"] == [{"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}}]


# --- TensorFlow image per region -------------------------------------------------------------

def test_tensorflow_image_us_west_2():
    image = tensorflow_gpu_image("us-west-2")
    assert image.startswith("763104351884.dkr.ecr.us-west-2.amazonaws.com/tensorflow-training:")
    assert "-gpu-" in image.rsplit(":", 1)[1]


def test_tensorflow_image_region_with_own_account():
    assert tensorflow_gpu_image("af-south-1").startswith("626614931356.dkr.ecr.af-south-1.amazonaws.com/tensorflow-training:")


def test_tensorflow_image_china_domain():
    assert tensorflow_gpu_image("cn-north-1").startswith("727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/")


def test_tensorflow_image_unknown_region():
    with pytest.raises(ValueError, match="no AWS Deep Learning Containers registry known for region 'mars-1'"):
        tensorflow_gpu_image("mars-1")


# --- schema ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
@pytest.mark.parametrize("configuration", ["default", "with_pods", "without_smoke_test"])
def test_valid_for_kubernetes(request, configuration, kubernetes_version):
    _, objects = request.getfixturevalue(configuration)
    validate_strict(objects, kubernetes_version)
