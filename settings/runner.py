"""The runner: namespace, image, pods and their size, the queues it serves, its cache; and that it fits a node."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from domain.images import DEFAULT_RUNNER_IMAGE, repository_of
from domain.quantities import GIB, QuantityError, cpu_cores, memory_bytes, runner_cache_bytes
from domain.queue_match import literal_prefix
from domain.runner_sizing import RunnerLimits, SizingError, runner_limits
from settings.errors import SettingError
from settings.fields import SettingsBase, setting
from settings.types import Count, Flag, GoRegexp, Namespace, PinnedImage, Text

# What a GPU node keeps for itself (kubelet, container runtime, VPC CNI, kube-proxy, device plugin,
# Pod Identity agent) before the runner can have the rest: 0.5 vCPU, and 1 GiB plus 10% of memory.
NODE_RESERVED_CPU = 0.5
NODE_RESERVED_MEMORY_FIXED = 1 * GIB
NODE_RESERVED_MEMORY_SHARE = 0.10
MIN_CACHE_BYTES = 10**9  # the runner refuses a cache below 1 GB


def _cpu(value: str) -> str:
    try:
        cpu_cores(value)
    except QuantityError as err:
        raise ValueError(str(err)) from None
    return value  # the least the runner can work with is domain/runner_sizing.py's to say


def _memory(value: str) -> str:
    try:
        memory_bytes(value)
    except QuantityError as err:
        raise ValueError(str(err)) from None
    return value


def _cache_size(value: str) -> str:
    try:
        size = runner_cache_bytes(value)
    except QuantityError as err:
        raise ValueError(str(err)) from None
    if size < MIN_CACHE_BYTES:
        raise ValueError(f"{value} is below the runner's 1 GB minimum. Give 1Gib or more")
    return value


def _runner_gpus(value: int) -> int:
    if value == 0:
        raise ValueError("0 GPUs leaves the runner nothing to run on. Give 1 or more")
    return value


Memory = Annotated[Text, AfterValidator(_memory)]


class RunnerSettings(SettingsBase):
    namespace: Namespace = setting("studioml", meaning="namespace of the runner's objects, created with Pod Security labels; "
                                   "`default` (the runbook's) is neither created nor labelled", runbook="`default`")
    runner_image: PinnedImage = setting(DEFAULT_RUNNER_IMAGE, meaning="runner image, pinned to a version tag or digest (never `latest`)",
                                        runbook="`image:` in `examples/aws/deployment.yaml`")
    runner_replicas: Count = setting(1, meaning="runner pods", runbook="`replicas:` in the example Deployment")
    runner_gpus: Annotated[Count, AfterValidator(_runner_gpus)] = setting(1, meaning="GPUs per runner pod (requests = limits)",
                                                                          runbook="`nvidia.com/gpu: 1`")
    runner_cpu: Annotated[Text, AfterValidator(_cpu)] = setting("2", meaning="CPU per runner pod (requests = limits)", runbook="`cpu: 2`")
    runner_memory: Memory = setting(
        "12Gi", meaning="memory per runner pod (requests = limits); must fit every `nodeType`", runbook="`memory: 32Gi` (sized for p2.xlarge)")
    runner_scratch_size: Memory = setting("50Gi", meaning="size limit of the runner's `/tmp` (holds the cache); below `nodeVolumeSize`",
                                          runbook="unbounded `/tmp`")
    queue_match: GoRegexp = setting("^sqs_.*$", meaning="`QUEUE_MATCH`: regular expression on the queue names the runner serves "
                                    "(with `sqsCredentials=managed` and `queues`: exactly those queues)",
                                    runbook="`QUEUE_MATCH` in `studioml-env`")
    cache_size: Annotated[Text, AfterValidator(_cache_size)] = setting("10Gib", meaning="`CACHE_SIZE` (at least 1 GB; below "
                                                                       "`runnerScratchSize`)", runbook="`CACHE_SIZE` in `studioml-env`")
    clear_text_messages: Flag = setting(True, meaning="`CLEAR_TEXT_MESSAGES`: accept unencrypted requests",
                                        runbook="`CLEAR_TEXT_MESSAGES` in `studioml-env`")

    def check(self) -> None:
        """The cache lives in the scratch space, and MAX_CORES, MAX_MEM and TASK_DISK must leave the runner a budget."""
        if runner_cache_bytes(self.cache_size) >= memory_bytes(self.runner_scratch_size):
            raise SettingError("cacheSize", f"{self.cache_size} does not fit in runnerScratchSize ({self.runner_scratch_size}), "
                               "where the cache lives. Lower cacheSize or raise runnerScratchSize")
        try:
            _ = self.runner_limits
        except SizingError as err:
            raise SettingError(err.setting, err.message) from None

    # --- derived values -------------------------------------------------------------------
    @property
    def runner_repository(self) -> str:
        """runnerImage without its tag or digest."""
        return repository_of(self.runner_image)

    @property
    def runner_limits(self) -> RunnerLimits:
        """What the runner may give tasks, from its pod's requests and scratch (domain/runner_sizing.py)."""
        return runner_limits(cpu=self.runner_cpu, memory=self.runner_memory, scratch_size=self.runner_scratch_size,
                             cache_size=self.cache_size)

    @property
    def queue_prefix(self) -> str:
        """What every name queueMatch matches starts with (`^sqs_.*$` -> `sqs_`): the managed runner user may read only those
        queues, so it must cover every queue the runner would try (domain/queue_match.py)."""
        return literal_prefix(self.queue_match)
