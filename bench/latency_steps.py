"""The steps between a message landing in SQS and a runner taking it, each a distribution with its source.

Figures read from the component's own source at the version this project pins (each add-on's unit, stacks/addons/<name>)
name the file and tag; figures no source gives are marked `assumption=True` and say what they rest on.
bench/latency.py puts the steps together for a configuration and samples them.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Protocol

Z90 = 1.2815515655446004  # the standard normal's 90th percentile: a log-normal's p90 = p50 * exp(Z90 * sigma)


class Distribution(Protocol):
    def sample(self, rng: random.Random) -> float: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Fixed:
    seconds: float

    def sample(self, rng: random.Random) -> float:
        return self.seconds

    def describe(self) -> str:
        return f"fixed {self.seconds:g} s"


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low, self.high)

    def describe(self) -> str:
        return f"uniform {self.low:g}-{self.high:g} s"


@dataclass(frozen=True)
class LogNormal:
    """Given by its median and 90th percentile, the way measurements are usually published."""
    p50: float
    p90: float

    def sample(self, rng: random.Random) -> float:
        sigma = math.log(self.p90 / self.p50) / Z90
        return rng.lognormvariate(math.log(self.p50), sigma)

    def describe(self) -> str:
        return f"log-normal p50 {self.p50:g} s, p90 {self.p90:g} s"


@dataclass(frozen=True)
class PollCycle:
    """Wait for an idle poller: it listens `listen` s (an SQS long poll) then sleeps `sleep` s; a message lands anywhere."""
    listen: float
    sleep: float

    def sample(self, rng: random.Random) -> float:
        at = rng.uniform(0, self.listen + self.sleep)
        return 0.0 if at < self.listen else self.listen + self.sleep - at

    def describe(self) -> str:
        return f"{self.listen:g} s listening, {self.sleep:g} s asleep, message at a uniform moment"


@dataclass(frozen=True)
class Scaled:
    """`base` times a factor drawn from `factor`: an image's size times seconds per GB, a pull sped up by SOCI."""
    base: Distribution
    factor: Distribution

    def sample(self, rng: random.Random) -> float:
        return self.base.sample(rng) * self.factor.sample(rng)

    def describe(self) -> str:
        return f"({self.base.describe()}) x ({self.factor.describe()})"


@dataclass(frozen=True)
class Step:
    name: str
    distribution: Distribution
    source: str
    assumption: bool = False


# --- the runner, leaf-ai/studio-go-runner at tag 0.14.2 ----------------------------------------------------------------
RUNNER_SOURCE = "leaf-ai/studio-go-runner 0.14.2"
# A new runner's first ReceiveMessage: cmd/runner/sqs.go:148 checks credentials 1 s after start; cmd/runner/queues.go:345
# lists the queues 1 s after that; the producer ticks every 5 s (cmd/runner/project.go:255, workChecking) and starts a
# fetcher whose ticker (queues.go:414, queuePollInterval = 10 s at queues.go:66) first fires 10 s later. About 16 s, plus
# the ListQueues and ReceiveMessage round trips.
RUNNER_FIRST_FETCH = Step(
    "runner finds the message", Uniform(16, 18),
    f"{RUNNER_SOURCE}: cmd/runner/sqs.go:148 (1 s), cmd/runner/queues.go:345 (1 s), cmd/runner/project.go:255 "
    "(producer every 5 s), cmd/runner/queues.go:66 (fetch ticker 10 s)")
# An idle runner: ReceiveMessage waits 5 s (pkg/aws/sqs.go:245 WaitTimeSeconds 5); an empty receive sets a 15 s backoff
# (cmd/runner/queues.go:681 and :729, no run history yet), after which the 10 s ticker fetches again: about 5 s listening
# in every 20 s.
RUNNER_IDLE_PICKUP = Step(
    "idle runner receives it", PollCycle(listen=5, sleep=15),
    f"{RUNNER_SOURCE}: pkg/aws/sqs.go:245 (long poll 5 s), cmd/runner/queues.go:681,729 (15 s backoff after an empty "
    "receive), cmd/runner/queues.go:66 (10 s ticker)")

# --- KEDA (kedacore/keda; the 2.21.1 tag is not in the stored snapshot: v2.20.2 and main at 8b4f083 agree) -----------
KEDA_SOURCE = ("kedacore/keda v2.20.2 apis/keda/v1alpha1/withtriggers_types.go:51 (default 30 s; main 8b4f083 the same), "
               "our pollingInterval in charts/queue_scaling.py")


def keda_poll(polling_s: float) -> Step:
    """KEDA reads the queue every pollingInterval and scales 0 -> 1 itself on the first read that sees a message."""
    return Step("KEDA sees the message", Uniform(0, polling_s), KEDA_SOURCE)


# 1 -> N goes through the HPA, which reads KEDA's metric every sync period.
HPA_SYNC = Step("HPA adds a runner", Uniform(0, 15),
                "kube-controller-manager --horizontal-pod-autoscaler-sync-period, default 15s (Kubernetes reference)")
POD_CREATED = Step("pod created and found unschedulable", LogNormal(1, 3),
                   "assumption: Deployment -> ReplicaSet -> scheduler, no published figure", assumption=True)

# --- cluster-autoscaler, kubernetes/autoscaler at tag cluster-autoscaler-1.34.5 ----------------------------------------
CA_SOURCE = "kubernetes/autoscaler cluster-autoscaler-1.34.5"


def autoscaler_notices(scan_s: float) -> Step:
    # config/const.go:55 DefaultScanInterval 10 s; FAQ.md "How fast is HPA when combined with CA?": scale-up "less than
    # 30 seconds in most cases". The loop's own run time on top of the wait is the assumption.
    return Step("cluster-autoscaler asks for a node", Uniform(0, scan_s),
                f"{CA_SOURCE}: cluster-autoscaler/config/const.go:55 (scan-interval 10 s), FAQ.md 'How fast is HPA "
                "when combined with CA?' (< 30 s in most cases)")


AUTOSCALER_LOOP = Step("autoscaler loop and ASG request", LogNormal(3, 8),
                       "assumption: one CA loop plus SetDesiredCapacity on a small cluster, within the FAQ's < 30 s",
                       assumption=True)
# Karpenter batches pending pods: a window closes after 1 s without new pods, at most 10 s (karpenter.sh/docs/reference/
# settings BATCH_IDLE_DURATION, BATCH_MAX_DURATION). Auto Mode does not publish its own values: assumed the same.
KARPENTER_BATCH = Step("Auto Mode asks for a node", LogNormal(2, 5),
                       "karpenter.sh/docs/reference/settings (batch-idle-duration 1s, batch-max-duration 10s); Auto Mode "
                       "publishes none, assumed the same, plus the launch call", assumption=True)

# --- EC2 and the node image ----------------------------------------------------------------------------------------------
# awslabs/amazon-eks-ami issue 1099: a c5.xlarge registered with the API 39 s after the instance request (before that
# issue's optimizations); "GPU instance types often take much longer to boot". No published GPU figure was found.
NODEGROUP_BOOT = Step("GPU instance boots and joins (Ready)", LogNormal(80, 130),
                      "assumption: awslabs/amazon-eks-ami issue 1099 gives 39 s for a c5.xlarge and says GPU types take "
                      "much longer; no g4dn/g5 figure published", assumption=True)
AUTOMODE_BOOT = Step("GPU instance boots and joins (Ready)", LogNormal(65, 110),
                     "assumption: an EKS Auto Mode g6e example shows about a minute; no published distribution",
                     assumption=True)
DEVICE_PLUGIN_DAEMONSET = Step("nvidia.com/gpu allocatable, pod bound", LogNormal(15, 30),
                               "assumption: the device plugin DaemonSet pod (NVIDIA/k8s-device-plugin v0.20.0) is pulled "
                               "and registers on the new node; no published figure", assumption=True)
DEVICE_PLUGIN_BUILT_IN = Step("nvidia.com/gpu allocatable, pod bound", LogNormal(4, 10),
                              "assumption: the device plugin ships in the node image (Bottlerocket NVIDIA, Auto Mode), "
                              "so only its registration remains", assumption=True)

# --- the runner image --------------------------------------------------------------------------------------------------
# Compressed size of images we know. No registry is reachable from here: 0.14.2's cmd/runner/Dockerfile.stock is
# nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04 plus three pyenv Pythons and TensorFlow 2.3/2.4 (CPU and GPU) wheels.
IMAGE_GB: dict[str, float] = {"quay.io/leafai/studio-go-runner:0.14.2": 6.0}
IMAGE_GB_UNKNOWN = 6.0
IMAGE_GB_SOURCE = ("assumption: {gb:g} GB compressed, from the layers of leaf-ai/studio-go-runner 0.14.2 "
                   "cmd/runner/Dockerfile.stock (CUDA 11.2 cuDNN runtime, three Pythons, TensorFlow 2.3/2.4); "
                   "give the real size with --image-gb")
# AWS Machine Learning Blog, "Reducing container cold start times using SOCI index on DLAMI and DLC" (2026): standard
# pulls of 15-20 GB take 4-6 minutes, 12-24 s per GB.
SECONDS_PER_GB = LogNormal(16, 22)
PULL_RATE_SOURCE = ("AWS Machine Learning Blog, 'Reducing container cold start times using SOCI index on DLAMI and "
                    "DLC': 15-20 GB in 4-6 min")
# aws-samples/karpenter-blueprints, SOCI snapshotter parallel pull/unpack blueprint: "reducing image pull time by up to
# 50%"; where a given pull lands between half and most of the time is the assumption.
SOCI_FACTOR = LogNormal(0.6, 0.75)
SOCI_GAIN = "aws-samples/karpenter-blueprints SOCI parallel pull/unpack blueprint: 'up to 50%' faster"
SOCI_AUTOMODE_SOURCE = (f"{SOCI_GAIN}; Auto Mode using it by default: assumption (not found in the stored "
                        "EKS docs)")
SOCI_NODEADM_SOURCE = (f"{SOCI_GAIN}; fastImagePull: awslabs/amazon-eks-ami v20260724 nodeadm/doc/examples.md 'Enabling "
                       "fast image pull (experimental)', with the 600 MiB/s gp3 throughput it recommends")
# imagePullPolicy Always (charts/runner.py): on a node that has the image the kubelet only resolves the tag to a digest
# (Kubernetes docs, Images, "Image pull policy").
CACHED_PULL = Step("image already on the node: digest check", LogNormal(1, 3),
                   "kubernetes.io/docs/concepts/containers/images 'Always' with a cached digest; round trip assumed",
                   assumption=True)


def image_pull(image_gb: float, size_source: str, soci: str | None) -> Step:
    """`soci`: the source of the parallel pull this node image does, or None for a plain pull."""
    base = Scaled(Fixed(image_gb), SECONDS_PER_GB)
    if soci:
        return Step("runner image pulled (SOCI parallel pull)", Scaled(base, SOCI_FACTOR),
                    f"{size_source}; {PULL_RATE_SOURCE}; {soci}", assumption=True)
    return Step("runner image pulled", base, f"{size_source}; {PULL_RATE_SOURCE}", assumption=True)


CONTAINER_START = Step("container starts the runner", LogNormal(2, 5),
                       "assumption: the command execs the runner binary directly (charts/runner.py RUNNER_COMMAND)",
                       assumption=True)

# --- after the queue empties -------------------------------------------------------------------------------------------
KEDA_COOLDOWN_SOURCE = ("kedacore/keda v2.20.2 pkg/scaling/executor/scale_executor.go:36 (default 300 s) and our "
                        "cooldownPeriod in charts/queue_scaling.py; checked at each poll")
NODE_TERMINATES = Step("node drained and terminated", LogNormal(20, 40),
                       "assumption: drain of an empty node plus TerminateInstances until EC2 stops billing",
                       assumption=True)
