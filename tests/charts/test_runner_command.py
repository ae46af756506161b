"""The runner container's command against the runner's own code (leaf-ai/studio-go-runner, tag 0.14.2): it execs
the runner, and sets MAX_MEM and MAX_DISK so the runner's own arithmetic gives tasks what the pod was sized for."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from charts.runner_command import MEMORY_SLACK_MIB, RUNNER_COMMAND

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="runs the container's bash command")

LIMITS = {"MAX_CORES": "2", "MAX_MEM": "11059mib", "TASK_DISK": "36864mib"}


GIB = 2**30
MIB = 2**20


def _run_start_command(tmp_path: Path, *, gpus: bool = True, mem_available_kib: int | None = 15 * 2**20, volume: int = 100 * GIB,
                       free: int = 70 * GIB, limits: dict | None = None) -> tuple[int, str, Path, dict, str]:
    """Runs the container command with its absolute paths moved under tmp_path, /proc/meminfo and `df` faked; the fake
    runner records its PID, which binary ran and the limits it was given. Returns them, the exit status, and stderr."""
    root = tmp_path / "runner"
    root.mkdir()
    for binary in ("runner-linux-amd64", "runner-linux-amd64-cpu"):
        (root / binary).write_text(f'#!/bin/bash\necho "$$ {binary} $MAX_MEM $MAX_DISK" > {tmp_path}/ran\n')
        (root / binary).chmod(0o755)
    gpu_dir = tmp_path / "proc-gpus"
    gpu_dir.mkdir()
    if gpus:
        (gpu_dir / "0000:00:1e.0").mkdir()
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemFree:         1000000 kB\n"
                       + (f"MemAvailable:   {mem_available_kib} kB\n" if mem_available_kib is not None else ""))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # coreutils df -B1 --output=avail|size: a header line, then the figure in bytes.
    (bin_dir / "df").write_text(f'#!/bin/bash\ncase "$*" in *avail*) echo Avail; echo {free};; *size*) echo 1B-blocks; echo {volume};; esac\n')
    (bin_dir / "df").chmod(0o755)
    script = (RUNNER_COMMAND[2].replace("/runner/", f"{root}/").replace("/proc/driver/nvidia/gpus", str(gpu_dir))
              .replace("/proc/meminfo", str(meminfo)))
    cache = tmp_path / "tmp" / "cache"
    env = {**os.environ, **(limits or LIMITS), "CACHE_DIR": str(cache), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    process = subprocess.Popen([RUNNER_COMMAND[0], RUNNER_COMMAND[1], script], env=env, stderr=subprocess.PIPE, text=True)
    _, stderr = process.communicate(timeout=30)
    if process.returncode != 0:
        return process.returncode, "", cache, {}, stderr
    pid, binary, max_mem, max_disk = (tmp_path / "ran").read_text().split()
    # exec keeps the PID: the runner replaced the shell when the PID it wrote is the one Popen started.
    return int(pid) - process.pid, binary, cache, {"MAX_MEM": max_mem, "MAX_DISK": max_disk}, stderr


@pytest.mark.parametrize("gpus, binary", [(True, "runner-linux-amd64"), (False, "runner-linux-amd64-cpu")])
def test_the_command_execs_the_runner_so_it_gets_sigterm(tmp_path, gpus, binary):
    # cmd/runner/Dockerfile.stock at 0.14.2 ends `CMD /bin/bash -C ./run.sh` and cmd/runner/run.sh starts
    # /runner/runner-linux-amd64 (or -cpu when /proc/driver/nvidia/gpus is empty) as a child, without
    # exec, after `mkdir $CACHE_DIR`: SIGTERM to the container stops at bash. Here the runner must
    # replace the shell (same PID), the binary must follow the same GPU test, and CACHE_DIR must exist.
    pid_change, ran, cache, _, _ = _run_start_command(tmp_path, gpus=gpus)
    assert pid_change == 0, "the runner runs as a child of the shell, not in its place"
    assert ran == binary
    assert cache.is_dir()


def _parse_mib(value: str) -> int:
    """humanize.ParseBytes of the `<n>mib` form the runner is given (go-humanize bytes.go: mib = 1024 * 1024)."""
    assert value.endswith("mib") and value[:-3].isdigit(), value
    return int(value[:-3]) * MIB


def _task_budget(*, free: int, volume: int, max_disk: int) -> int:
    """What the runner lets tasks allocate on a fresh start, as internal/disk_resource/disk.go at 0.14.2 computes it:
    SetDiskLimits keeps MinFree = max(Blocks / 10 * Bsize, MAX_DISK); GetDiskFree gives Bavail * Bsize - MinFree, or 0
    when Bfree is below MinFree. Blocks of 4 KiB, as on the node's XFS or ext4 volume."""
    block = 4096
    min_free = max(volume // block // 10 * block, max_disk)
    return 0 if free < min_free else free - min_free


# The default GPU node (nodeVolumeSize 100 GiB, runnerScratchSize 50Gi, cacheSize 10Gib: TASK_DISK 36864 MiB) and the
# smallest volume the settings allow (nodeVolumeSize 50, runnerScratchSize 24Gi: TASK_DISK 12902 MiB). `free` is what the
# OS and the images leave: the AL2023 AMIs are built on a 20 GiB root volume (awslabs/amazon-eks-ami v20260724,
# templates/al2023/template.json ami_block_device_mappings), and the runner image is several GB.
@pytest.mark.parametrize("volume_gib, free_gib, task_disk", [
    (100, 70, "36864mib"), (100, 55, "36864mib"), (50, 25, "12902mib"), (50, 18, "12902mib")])
def test_tasks_get_task_disk_whatever_the_os_and_images_take(tmp_path, volume_gib, free_gib, task_disk):
    # A MAX_DISK fixed at synth time (node volume - TASK_DISK, as before) gave tasks TASK_DISK less everything already
    # on the volume: 36 GiB promised, about 6 GiB left on a default node once the OS and the runner image are there.
    volume, free = volume_gib * GIB, free_gib * GIB
    status, _, _, limits, stderr = _run_start_command(tmp_path, volume=volume, free=free, limits={**LIMITS, "TASK_DISK": task_disk})
    assert (status, stderr) == (0, "")
    budget = _task_budget(free=free, volume=volume, max_disk=_parse_mib(limits["MAX_DISK"]))
    assert _parse_mib(task_disk) - MIB < budget <= _parse_mib(task_disk)


def test_a_volume_too_full_for_task_disk_gives_tasks_what_is_left_and_says_so(tmp_path):
    # 60 GiB free of 100: TASK_DISK (36 GiB) would leave less than the 10% floor free, so the runner keeps 10 GiB.
    status, _, _, limits, stderr = _run_start_command(tmp_path, volume=100 * GIB, free=40 * GIB)
    assert status == 0
    assert stderr == "runner: /tmp's volume has 40960MiB free: tasks get 30720MiB, not 36864mib\n"
    assert _task_budget(free=40 * GIB, volume=100 * GIB, max_disk=_parse_mib(limits["MAX_DISK"])) == 30 * GIB


def test_a_volume_with_nothing_past_the_floor_stops_the_pod_in_one_line(tmp_path):
    # disk.go would start and then accept no task that needs disk (GetDiskFree returns 0): say so and stop instead.
    status, _, _, _, stderr = _run_start_command(tmp_path, volume=100 * GIB, free=10 * GIB)
    assert status == 1
    assert stderr == ("runner: /tmp's volume has 10240MiB free, within the 10% the runner keeps free: no room for tasks; "
                      "raise the node volume\n")


@pytest.mark.parametrize("available_mib, expected", [(15 * 1024, "11059mib"), (11059 + MEMORY_SLACK_MIB, "11059mib"),
                                                      (9000, f"{9000 - MEMORY_SLACK_MIB}mib")])
def test_max_mem_never_exceeds_what_the_node_has_available(tmp_path, available_mib, expected):
    # internal/cpu_resource/cpu.go at 0.14.2: init() sets HardMaxMem = mem.Available (gopsutil v3.21.6 mem_linux.go:
    # MemAvailable of /proc/meminfo, the host's), and SetCPULimits refuses MAX_MEM above it, so the runner exits.
    status, _, _, limits, stderr = _run_start_command(tmp_path, mem_available_kib=available_mib * 1024)
    assert status == 0
    assert limits["MAX_MEM"] == expected
    assert _parse_mib(limits["MAX_MEM"]) <= available_mib * MIB - MEMORY_SLACK_MIB * MIB
    lowered = expected != LIMITS["MAX_MEM"]
    assert stderr == (f"runner: the node has {expected[:-3]}MiB available, below MAX_MEM=11059mib: tasks get {expected}\n"
                      if lowered else "")


def test_a_kernel_without_mem_available_leaves_max_mem_alone(tmp_path):
    # Kernels before 3.14 have no MemAvailable line; gopsutil then estimates it (mem_linux.go calcuateAvailVmem).
    status, _, _, limits, stderr = _run_start_command(tmp_path, mem_available_kib=None)
    assert (status, limits["MAX_MEM"], stderr) == (0, "11059mib", "")
