"""Settings that follow from the runner's own code (leaf-ai/studio-go-runner, tag 0.14.2): image, architecture, sizing."""
from __future__ import annotations


import pytest

from domain.runner_sizing import MIB, runner_limits
from domain.quantities import GIB
from settings import DEFAULT_RUNNER_IMAGE, load_settings
from tests.kube import find
from tests.synth import kubernetes_manifests
from tests.setting_errors import error_line

pytestmark = pytest.mark.xdist_group("default")


def test_default_image_is_the_last_release():
    # Runner git tags of the 0.14 line: 0.14.0, 0.14.1, 0.14.2; 0.14.3 only as 0.14.3-main-<id> pre-releases,
    # and the build tags images with the README's version, which never read a plain 0.14.3.
    assert DEFAULT_RUNNER_IMAGE == "quay.io/leafai/studio-go-runner:0.14.2"
    assert load_settings({}, {}).runner.runner_image == DEFAULT_RUNNER_IMAGE


@pytest.mark.parametrize("image", ["quay.io/leafai/studio-go-runner:0.14.2", "quay.io/leafai/studio-go-runner@sha256:" + "a" * 64])
def test_arm64_gpu_nodes_are_refused_with_the_upstream_image(image):
    # cmd/runner/Dockerfile.stock at 0.14.2: FROM an amd64 CUDA base, COPY bin/runner-linux-amd64 and
    # -amd64-cpu only; nothing in the image runs on arm64.
    assert error_line({"nodeType": "g5g.xlarge", "gpuAmiType": "AL2023_ARM_64_NVIDIA", "runnerMemory": "5Gi", "runnerImage": image}) == (
        f"error: nodeType: g5g.xlarge is arm64, but {image} holds only x86_64 runner binaries. "
        "Pick x86_64 node types, or build an arm64 runner image and set runnerImage.")
    own = load_settings({"nodeType": "g5g.xlarge", "gpuAmiType": "AL2023_ARM_64_NVIDIA", "runnerMemory": "5Gi",
                         "runnerImage": "registry.example.com/studio-go-runner-arm64:0.14.2"}, {})
    assert own.node.gpu_architecture == "arm64"


def test_default_limits_in_the_runners_unit_syntax():
    # cmd/runner/main.go at 0.14.2: max-cores is a flag.Uint; max-mem goes through humanize.ParseBytes
    # (vendor/github.com/dustin/go-humanize/bytes.go: number, then a unit such as "mib"). TASK_DISK is ours: the pod's
    # command turns it into max-disk on the node (tests/charts/test_runner_command.py).
    env = load_settings({}, {}).runner.runner_limits.env()
    assert env == {"MAX_CORES": "2", "MAX_MEM": "11059mib", "TASK_DISK": "36864mib"}
    smallest = load_settings({"nodeVolumeSize": 50, "runnerScratchSize": "24Gi"}, {}).runner.runner_limits.env()
    assert smallest["TASK_DISK"] == "12902mib"  # (24 GiB - 10 GiB of cache) x 0.9, whole MiB


@pytest.mark.parametrize("cpu, memory, scratch, cache", [
    ("2", "12Gi", "50Gi", "10Gib"), ("3500m", "30Gi", "150Gi", "20Gib"), ("1", "2Gi", "20Gi", "1Gib")])
def test_limits_stay_inside_the_pod(cpu, memory, scratch, cache):
    limits = runner_limits(cpu=cpu, memory=memory, scratch_size=scratch, cache_size=cache)
    env = limits.env()
    assert 1 <= int(env["MAX_CORES"]) <= float(cpu.removesuffix("m")) / (1000 if cpu.endswith("m") else 1)
    pod_memory = int(memory[:-2]) * GIB
    assert int(env["MAX_MEM"][:-3]) * MIB <= pod_memory - max(pod_memory // 10, GIB)  # the stated margin
    # The cache lives in /tmp too (CACHE_DIR=/tmp/cache), and a tenth is kept for logs and the runner's own files.
    scratch_less_cache = int(scratch[:-2]) * GIB - int(cache[:-3]) * GIB
    assert int(env["TASK_DISK"][:-3]) * MIB == limits.task_disk_bytes
    assert scratch_less_cache * 0.9 - MIB < limits.task_disk_bytes <= scratch_less_cache * 0.9


@pytest.mark.parametrize("context, line", [
    ({"runnerCpu": "500m"}, "error: runnerCpu: 500m is less than one core, and the runner counts whole cores (MAX_CORES; "
                            "0 would mean every core of the node). Give 1 or more."),
    ({"runnerMemory": "1500Mi"}, "error: runnerMemory: 1500Mi leaves the runner less than 1Gi for tasks after its own 1Gi margin. "
                                 "Give at least 2Gi."),
])
def test_a_pod_too_small_to_give_the_runner_a_budget_is_refused(context, line):
    assert error_line(context) == line


def test_the_deployed_runner_gets_the_limits_and_its_config_hash(default):
    # End to end: settings -> studioml-env -> the pod template's hash (charts/runner.py).
    objects = [o for objs in kubernetes_manifests(default).values() for o in objs]
    data = find(objects, "ConfigMap", "studioml-env")["data"]
    assert (data["MAX_CORES"], data["MAX_MEM"], data["TASK_DISK"]) == ("2", "11059mib", "36864mib")
    template = find(objects, "Deployment", "studioml-go-runner-deployment")["spec"]["template"]
    assert template["metadata"]["annotations"]["studio-go-runner/config-hash"]
    assert template["spec"]["containers"][0]["image"] == "quay.io/leafai/studio-go-runner:0.14.2"
