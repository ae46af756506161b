"""The runner pod against the runner's own code (leaf-ai/studio-go-runner, tag 0.14.2): start, signals, sizing, rollouts."""
from __future__ import annotations

import cdk8s
import pytest

from charts import runner
from charts.runner import CONFIG_HASH_ANNOTATION, TERMINATION_GRACE_PERIOD_SECONDS, RunnerChart, config_hash
from charts.runner_command import RUNNER_COMMAND
from tests.kube import find

LIMITS = {"MAX_CORES": "2", "MAX_MEM": "11059mib", "TASK_DISK": "36864mib"}
ARGS: dict = dict(namespace="default", image="quay.io/leafai/studio-go-runner:0.14.2", replicas=1, gpus=1, cpu="2", memory="12Gi",
                  scratch_size="50Gi", queue_match="^sqs_.*$", cache_size="10Gib", clear_text_messages=True,
                  sqs_secret_optional=False, limits_env=LIMITS)


def _objects(**overrides) -> list[dict]:
    return cdk8s.Testing.synth(RunnerChart(cdk8s.Testing.app(), "runner", **{**ARGS, **overrides}))


def _template(objects: list[dict]) -> dict:
    return find(objects, "Deployment", runner.DEPLOYMENT_NAME)["spec"]["template"]


def test_the_container_runs_that_command_not_the_images_cmd():
    (container,) = _template(_objects())["spec"]["containers"]
    assert container["command"] == list(RUNNER_COMMAND)
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
    with pytest.raises(ValueError, match="limits_env must set MAX_CORES, MAX_MEM and TASK_DISK"):
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
