"""The runner pod against the runner's own code (leaf-ai/studio-go-runner, tag 0.14.2): start, signals, sizing, rollouts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cdk8s
import pytest

from charts import runner
from charts.runner import CONFIG_HASH_ANNOTATION, RUNNER_COMMAND, TERMINATION_GRACE_PERIOD_SECONDS, RunnerChart, config_hash
from tests.kube import find

LIMITS = {"MAX_CORES": "2", "MAX_MEM": "11059mib", "MAX_DISK": "65536mib"}
ARGS: dict = dict(namespace="default", image="quay.io/leafai/studio-go-runner:0.14.2", replicas=1, gpus=1, cpu="2", memory="12Gi",
                  scratch_size="50Gi", queue_match="^sqs_.*$", cache_size="10Gib", clear_text_messages=True,
                  sqs_secret_optional=False, limits_env=LIMITS)


def _objects(**overrides) -> list[dict]:
    return cdk8s.Testing.synth(RunnerChart(cdk8s.Testing.app(), "runner", **{**ARGS, **overrides}))


def _template(objects: list[dict]) -> dict:
    return find(objects, "Deployment", runner.DEPLOYMENT_NAME)["spec"]["template"]


def _run_start_command(tmp_path: Path, *, gpus: bool) -> tuple[int, str, Path]:
    """Runs the container command with its absolute paths moved under tmp_path; the fake runner records its PID."""
    root = tmp_path / "runner"
    root.mkdir()
    for binary in ("runner-linux-amd64", "runner-linux-amd64-cpu"):
        (root / binary).write_text(f'#!/bin/bash\necho "$$ {binary}" > {tmp_path}/ran\n')
        (root / binary).chmod(0o755)
    gpu_dir = tmp_path / "proc-gpus"
    gpu_dir.mkdir()
    if gpus:
        (gpu_dir / "0000:00:1e.0").mkdir()
    script = RUNNER_COMMAND[2].replace("/runner/", f"{root}/").replace("/proc/driver/nvidia/gpus", str(gpu_dir))
    cache = tmp_path / "tmp" / "cache"
    process = subprocess.Popen([RUNNER_COMMAND[0], RUNNER_COMMAND[1], script], env={**os.environ, "CACHE_DIR": str(cache)})
    assert process.wait(timeout=30) == 0
    pid, binary = (tmp_path / "ran").read_text().split()
    return int(pid) - process.pid, binary, cache


@pytest.mark.skipif(sys.platform != "linux", reason="runs the container's bash command")
@pytest.mark.parametrize("gpus, binary", [(True, "runner-linux-amd64"), (False, "runner-linux-amd64-cpu")])
def test_the_command_execs_the_runner_so_it_gets_sigterm(tmp_path, gpus, binary):
    # cmd/runner/Dockerfile.stock at 0.14.2 ends `CMD /bin/bash -C ./run.sh` and cmd/runner/run.sh starts
    # /runner/runner-linux-amd64 (or -cpu when /proc/driver/nvidia/gpus is empty) as a child, without
    # exec, after `mkdir $CACHE_DIR`: SIGTERM to the container stops at bash. Here the runner must
    # replace the shell (same PID), the binary must follow the same GPU test, and CACHE_DIR must exist.
    pid_change, ran, cache = _run_start_command(tmp_path, gpus=gpus)
    assert pid_change == 0, "the runner runs as a child of the shell, not in its place"
    assert ran == binary
    assert cache.is_dir()


def test_the_container_runs_that_command_not_the_images_cmd():
    (container,) = _template(_objects())["spec"]["containers"]
    assert container["command"] == RUNNER_COMMAND
    lines = RUNNER_COMMAND[2].splitlines()
    # Every path that starts the runner execs it; run.sh's `env` dump is not carried over (it prints the config).
    assert [line for line in lines if "/runner/runner-linux-amd64" in line] == [
        'if [ -d /proc/driver/nvidia/gpus ] && [ -n "$(ls -A /proc/driver/nvidia/gpus)" ]; then exec /runner/runner-linux-amd64; fi',
        "exec /runner/runner-linux-amd64-cpu"]
    assert not any(line.strip() in ("env", "export") for line in lines)


def test_grace_period_matches_the_runners_real_shutdown_path():
    # cmd/runner/main.go at 0.14.2: SIGTERM -> watchReportingChannels cancels the root context; Main then
    # `time.Sleep(5 * time.Second)` and returns, so the process ends ~5 s after the signal. That goroutine
    # has one `select` and no loop: after its first status/error (internal/cuda/cuda.go MonitorGPUs sends
    # "gpu found" on its first 30 s tick) SIGTERM is dropped and only the SIGKILL at the end of the grace
    # period stops the runner. pkg/aws/sqs.go: a message is received with a 30 s visibility and extended
    # every 15 s while the task runs, so an abandoned one reappears within 30 s. More than a margin over
    # 5 s buys nothing; 90 s (the old value) only delayed that kill.
    assert 5 < TERMINATION_GRACE_PERIOD_SECONDS <= 30
    assert _template(_objects())["spec"]["terminationGracePeriodSeconds"] == TERMINATION_GRACE_PERIOD_SECONDS


def test_sizing_reaches_the_runner_through_studioml_env():
    # cmd/runner/main.go at 0.14.2: flags max-cores, max-mem, max-disk, read from env by envflag
    # (MAX_CORES, ...); studioml-env is the pod's envFrom.
    data = find(_objects(), "ConfigMap", runner.ENV_CONFIG_MAP_NAME)["data"]
    assert {key: data[key] for key in LIMITS} == LIMITS
    with pytest.raises(ValueError, match="limits_env must set MAX_CORES, MAX_MEM and MAX_DISK"):
        _objects(limits_env={"MAX_CORES": "2"})


def test_a_config_change_changes_the_pod_template_and_nothing_else_does():
    # The runner reads studioml-env once at start (envFrom): only a new pod template rolls it.
    base = _template(_objects())
    data = find(_objects(), "ConfigMap", runner.ENV_CONFIG_MAP_NAME)["data"]
    assert base["metadata"]["annotations"][CONFIG_HASH_ANNOTATION] == config_hash(data)
    assert _template(_objects())["metadata"]["annotations"] == base["metadata"]["annotations"]  # stable across synths
    for change in ({"queue_match": "^sqs_team_.*$"}, {"cache_size": "20Gib"}, {"clear_text_messages": False},
                   {"limits_env": {**LIMITS, "MAX_MEM": "9000mib"}}):
        changed = _template(_objects(**change))["metadata"]["annotations"][CONFIG_HASH_ANNOTATION]
        assert changed != base["metadata"]["annotations"][CONFIG_HASH_ANNOTATION], change
    # Still one runner at a time: maxSurge 0, maxUnavailable 1.
    deployment = find(_objects(), "Deployment", runner.DEPLOYMENT_NAME)
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
