"""The runner container's command: what the image's run.sh does that matters, the limits only a running node knows, then exec.

The image's CMD is the shell form `/bin/bash -C ./run.sh`, and run.sh starts the runner as a child
without `exec` (cmd/runner/Dockerfile.stock and run.sh at 0.14.2): SIGTERM stops at bash. This
command does what run.sh does that matters (mkdir CACHE_DIR, CUDA library path, the GPU binary when
the driver shows GPUs, else the CPU one) and then `exec`s the runner, so the runner is the process
the kubelet signals. run.sh's diagnostics (pip freeze, env) are left out: env would print the config.

Before that it sets the two limits that depend on the node as it is when the runner starts (the
image is Ubuntu 20.04, `nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04`: bash and coreutils' df):
- MAX_MEM: `internal/cpu_resource/cpu.go` takes MemAvailable from /proc/meminfo (gopsutil v3.21.6,
  mem_linux.go; the host's figure, not the pod's) as a hard limit and the runner refuses to start
  when MAX_MEM is above it. MAX_MEM is lowered to what is available, less MEMORY_SLACK_MIB for what
  the runner allocates before it reads the figure, and the pod's log says so.
- MAX_DISK: `internal/disk_resource/disk.go` keeps max(10% of the volume, MAX_DISK) free on /tmp's
  filesystem and gives tasks `Bavail - that`. That filesystem is the node volume, shared with the
  OS and every image, so MAX_DISK = free now - TASK_DISK gives tasks TASK_DISK. Below the 10% floor
  tasks get less, and the log says so; with nothing left the pod stops with one line, as the runner
  itself would accept no task.
"""
from __future__ import annotations

# MemAvailable can fall between this check and the runner's own read at start.
MEMORY_SLACK_MIB = 64

_LIMITS = f"""\
mem_kib=0
while read -r key value _; do if [ "$key" = MemAvailable: ]; then mem_kib=$value; fi; done < /proc/meminfo
mem_mib=$(( mem_kib / 1024 - {MEMORY_SLACK_MIB} ))
if [ "$mem_kib" -gt 0 ] && [ "$mem_mib" -lt "${{MAX_MEM%mib}}" ]; then
  echo "runner: the node has ${{mem_mib}}MiB available, below MAX_MEM=$MAX_MEM: tasks get ${{mem_mib}}mib" >&2
  export MAX_MEM="${{mem_mib}}mib"
fi
free=$(df -B1 --output=avail /tmp | tail -n 1)
size=$(df -B1 --output=size /tmp | tail -n 1)
task=$(( ${{TASK_DISK%mib}} * 1048576 ))
keep=$(( free - task ))
if [ "$(( free - size / 10 ))" -le 0 ]; then
  echo "runner: /tmp's volume has $(( free / 1048576 ))MiB free, within the 10% the runner keeps free: no room for tasks; raise the node volume" >&2
  exit 1
fi
if [ "$keep" -lt "$(( size / 10 ))" ]; then
  echo "runner: /tmp's volume has $(( free / 1048576 ))MiB free: tasks get $(( (free - size / 10) / 1048576 ))MiB, not $TASK_DISK" >&2
  keep=0
fi
export MAX_DISK="$(( (keep + 1048575) / 1048576 ))mib"
"""

_START = """\
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH}:/usr/local/cuda/lib64:/usr/local/nvidia/lib64"
if [ -n "$CACHE_DIR" ]; then mkdir -p "$CACHE_DIR" || exit 1; fi
if [ -d /proc/driver/nvidia/gpus ] && [ -n "$(ls -A /proc/driver/nvidia/gpus)" ]; then exec /runner/runner-linux-amd64; fi
exec /runner/runner-linux-amd64-cpu"""

RUNNER_COMMAND = ("/bin/bash", "-c", _LIMITS + _START)
