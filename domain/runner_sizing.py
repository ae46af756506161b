"""How much work the runner may accept, from its pod's resources instead of the node's.

Runner 0.14.2 (`cmd/runner/main.go`) reads flags `max-cores`, `max-mem`, `max-disk` from env
`MAX_CORES`, `MAX_MEM`, `MAX_DISK` (envflag). Unset, it counts every core and all available memory
of the node (`internal/cpu_resource/cpu.go`), and statfs of `/tmp`, which is the node's root volume
even though `/tmp` is an emptyDir with a sizeLimit. So it would accept work its pod cannot hold.

- MAX_CORES is a whole number (flag.Uint): the pod's CPU, rounded down.
- MAX_MEM (humanize.ParseBytes, e.g. `10240mib`): the pod's memory less MEMORY_MARGIN, which the
  runner binary, its Python environment and page cache use outside any task's request.
- MAX_DISK is not a maximum: `internal/disk_resource/disk.go` SetDiskLimits keeps max(10% of the
  volume, MAX_DISK) free on /tmp's filesystem, and GetDiskFree gives tasks `Bavail - that`. /tmp's
  filesystem is the node volume, which also holds the OS (AL2023) and every image, so no MAX_DISK
  fixed at synth time gives tasks a known budget. The pod's command (charts/runner_command.py)
  sets MAX_DISK when the runner starts, from what is free then, so tasks get TASK_DISK: the scratch
  size less the cache (which lives on /tmp too), less DISK_MARGIN for logs and the runner's own files.
- The runner also refuses to start when MAX_MEM exceeds the host's MemAvailable (cpu.go); the same
  command lowers MAX_MEM to what the node has free when it starts.
"""
from __future__ import annotations

from dataclasses import dataclass

from domain.quantities import GIB, cpu_cores, memory_bytes, runner_cache_bytes
from domain.setting_fault import SettingFault

MIB = 2**20
# Memory kept out of the runner's budget: 10% of the pod, and at least 1 GiB.
MEMORY_MARGIN_SHARE = 0.10
MEMORY_MARGIN_MIN = 1 * GIB
# Scratch kept out of the tasks' budget: 10% of what the cache leaves.
DISK_MARGIN_SHARE = 0.10


class SizingError(SettingFault):
    """The pod is too small to give the runner any budget; `setting` names the one to raise."""


@dataclass(frozen=True)
class RunnerLimits:
    max_cores: int
    max_mem_bytes: int
    task_disk_bytes: int  # what tasks may use of /tmp, whole MiB

    def env(self) -> dict[str, str]:
        """MAX_CORES and MAX_MEM in the runner's own unit syntax (humanize: `mib`); TASK_DISK, from which the pod's
        command sets MAX_DISK at start."""
        return {"MAX_CORES": str(self.max_cores), "MAX_MEM": f"{self.max_mem_bytes // MIB}mib",
                "TASK_DISK": f"{self.task_disk_bytes // MIB}mib"}


def runner_limits(*, cpu: str, memory: str, scratch_size: str, cache_size: str) -> RunnerLimits:
    """The runner's budget inside its pod; SizingError when there is none."""
    cores = int(cpu_cores(cpu))
    if cores < 1:
        raise SizingError("runnerCpu", f"{cpu} is less than one core, and the runner counts whole cores (MAX_CORES; "
                          "0 would mean every core of the node). Give 1 or more")
    pod_memory = memory_bytes(memory)
    max_mem = pod_memory - max(int(pod_memory * MEMORY_MARGIN_SHARE), MEMORY_MARGIN_MIN)
    if max_mem < GIB:
        raise SizingError("runnerMemory", f"{memory} leaves the runner less than 1Gi for tasks after its own "
                          f"{MEMORY_MARGIN_MIN // GIB}Gi margin. Give at least 2Gi")
    task_disk = int((memory_bytes(scratch_size) - runner_cache_bytes(cache_size)) * (1 - DISK_MARGIN_SHARE)) // MIB * MIB
    return RunnerLimits(max_cores=cores, max_mem_bytes=max_mem, task_disk_bytes=task_disk)
