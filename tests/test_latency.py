"""`make latency` (bench/latency.py, bench/latency_steps.py): the chain per scenario, its sources, and the output.

Expected figures are the upstream values, written here as literals with where they were read:
- leaf-ai/studio-go-runner 0.14.2: cmd/runner/sqs.go:148 credentials 1 s after start; cmd/runner/queues.go:345 queue list
  1 s later; cmd/runner/project.go:255 producer every 5 s; cmd/runner/queues.go:66 fetch ticker 10 s; pkg/aws/sqs.go:245
  ReceiveMessage WaitTimeSeconds 5; cmd/runner/queues.go:681,729 a 15 s backoff after an empty receive.
- kedacore/keda v2.20.2: apis/keda/v1alpha1/withtriggers_types.go:51 pollingInterval 30; scale_executor.go:36 cooldown 300.
- kubernetes/autoscaler cluster-autoscaler-1.34.5: config/const.go:55 scan-interval 10 s, :45 scale-down-unneeded-time 10m.
"""
from __future__ import annotations

import json
import random
from dataclasses import replace

import cdk8s
import pytest

from bench import latency_steps as steps
from bench.latency import Knobs, Shape, chain, idle_tail, main, model, quantile, seconds
from charts.queue_scaling import QueueScalingChart
from settings import load_settings

QUEUES = {"queues": "sqs_a", "nodesMin": "0", "nodes": "0"}


def shape(**context: str) -> Shape:
    return Shape.of(load_settings(context, {}))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv, environ={})
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def knobs() -> Knobs:
    return Knobs.deployed()


# --- the runner's own polling, as read at 0.14.2 ---------------------------------------------------------------------

def test_a_new_runner_first_receives_about_16_seconds_after_it_starts():
    # 1 s + 1 s, then the producer's 5 s tick, then the fetcher's first 10 s tick: 1 + 5 + 10 at the earliest.
    rng = random.Random(1)
    draws = [steps.RUNNER_FIRST_FETCH.distribution.sample(rng) for _ in range(1000)]
    assert 16 <= min(draws) and max(draws) <= 18


def test_an_idle_runner_listens_5_seconds_in_every_20():
    rng = random.Random(2)
    draws = [steps.RUNNER_IDLE_PICKUP.distribution.sample(rng) for _ in range(20_000)]
    assert max(draws) <= 15
    assert sum(d == 0 for d in draws) / len(draws) == pytest.approx(5 / 20, abs=0.02)


def test_a_log_normal_step_has_the_median_and_p90_it_was_given():
    rng = random.Random(3)
    draws = sorted(steps.LogNormal(80, 130).sample(rng) for _ in range(20_000))
    assert quantile(draws, 0.5) == pytest.approx(80, rel=0.03)
    assert quantile(draws, 0.9) == pytest.approx(130, rel=0.03)


# --- the knobs are the values the charts deploy ----------------------------------------------------------------------

def test_the_model_polls_and_cools_down_as_the_deployed_scaled_object_does(knobs: Knobs):
    chart = QueueScalingChart(cdk8s.Testing.app(), "s", namespace="n", deployment_name="d", region="us-west-2",
                              queue_urls=["https://sqs.us-west-2.amazonaws.com/123456789012/sqs_a"],
                              min_replicas=0, max_replicas=1, messages_per_replica=1)
    spec = next(o for o in cdk8s.Testing.synth(chart) if o["kind"] == "ScaledObject")["spec"]
    assert (knobs.polling_s, knobs.cooldown_s) == (spec["pollingInterval"], spec["cooldownPeriod"])


def test_durations_are_read_as_the_charts_write_them():
    assert (seconds("90s"), seconds("10m"), seconds("1h30m")) == (90, 600, 5400)
    with pytest.raises(ValueError, match="is not a duration"):
        seconds("10")


# --- which steps each configuration takes ----------------------------------------------------------------------------

def names(scenario: str, of: Shape, knobs: Knobs) -> list[str]:
    return [step.name for step in chain(scenario, of, knobs)]


def test_from_zero_on_nodegroups_waits_for_the_autoscaler_the_device_plugin_daemonset_and_a_plain_pull(knobs: Knobs):
    steps_taken = chain("from-zero", shape(**QUEUES), knobs)
    assert [s.name for s in steps_taken] == [
        "KEDA sees the message", "pod created and found unschedulable", "cluster-autoscaler asks for a node",
        "autoscaler loop and ASG request", "GPU instance boots and joins (Ready)", "nvidia.com/gpu allocatable, pod bound",
        "runner image pulled", "container starts the runner", "runner finds the message"]
    assert steps_taken[0].distribution == steps.Uniform(0, 10)  # the ScaledObject's pollingInterval: 10 s
    assert steps_taken[2].distribution == steps.Uniform(0, 10)
    assert steps.DEVICE_PLUGIN_DAEMONSET in steps_taken


def test_bottlerocket_has_the_device_plugin_built_in(knobs: Knobs):
    taken = chain("from-zero", shape(gpuAmiType="BOTTLEROCKET_x86_64_NVIDIA", **QUEUES), knobs)
    assert steps.DEVICE_PLUGIN_BUILT_IN in taken and steps.DEVICE_PLUGIN_DAEMONSET not in taken


def test_automode_asks_karpenter_and_pulls_in_parallel(knobs: Knobs):
    automode = shape(capacity="automode", queues="sqs_a", nodesMin="0")
    taken = names("from-zero", automode, knobs)
    assert "Auto Mode asks for a node" in taken and "cluster-autoscaler asks for a node" not in taken
    assert "runner image pulled (SOCI parallel pull)" in taken


def test_a_warm_node_skips_the_node_and_the_pull_and_a_warm_runner_only_polls(knobs: Knobs):
    assert names("warm-node", shape(**QUEUES), knobs) == [
        "KEDA sees the message", "pod created and found unschedulable", "image already on the node: digest check",
        "container starts the runner", "runner finds the message"]
    assert names("warm-hours", shape(**QUEUES), knobs) == ["idle runner receives it"]


def test_every_step_names_a_source_and_an_assumption_says_so(knobs: Knobs):
    for of in (shape(**QUEUES), shape(capacity="automode", queues="sqs_a", nodesMin="0")):
        for scenario in ("from-zero", "warm-node", "warm-hours"):
            for step in chain(scenario, of, knobs) + idle_tail(of, knobs):
                assert step.source
                assert not step.assumption or "assum" in step.source, step.name


# --- the figures ------------------------------------------------------------------------------------------------------

def test_a_warm_runner_beats_a_warm_node_which_beats_a_cold_start(knobs: Knobs):
    report = model(shape(**QUEUES), knobs, samples=4000)
    cold, warm_node, warm = (report.scenario(n) for n in ("from-zero", "warm-node", "warm-hours"))
    assert warm.p50_s < warm_node.p50_s < cold.p50_s
    assert warm.p50_s <= 30  # the target: within warm hours a task starts in 30 s at p50
    # warm-node: poll (0-10, median 5) + 1 + 1 + 2 + 17 (runner): about 26 s at the median.
    assert warm_node.p50_s == pytest.approx(26, abs=4)


def test_the_idle_tail_on_nodegroups_is_cooldown_grace_and_unneeded_time(knobs: Knobs):
    settings_shape = shape(**QUEUES)
    fast = replace(knobs, polling_s=30, cooldown_s=300, scan_s=10, unneeded_s=600, grace_s=15)
    # 300 cooldown + 15 (half a 30 s poll) + 15 grace + 600 unneeded + 5 (half a scan) + 20 (termination median)
    assert model(settings_shape, fast, samples=4000).scenario("from-zero").idle_tail_s == pytest.approx(955, abs=5)


def test_the_same_seed_gives_the_same_figures(knobs: Knobs):
    first = model(shape(**QUEUES), knobs, samples=2000).as_json()
    assert model(shape(**QUEUES), knobs, samples=2000).as_json() == first


def test_a_bigger_image_takes_longer_to_pull(knobs: Knobs):
    small = model(Shape.of(load_settings(QUEUES, {}), image_gb=1), knobs, samples=4000).scenario("from-zero")
    big = model(Shape.of(load_settings(QUEUES, {}), image_gb=12), knobs, samples=4000).scenario("from-zero")
    # 11 GB more at 16 s per GB (15-20 GB in 4-6 min): about 176 s at the median.
    assert big.p50_s - small.p50_s == pytest.approx(176, rel=0.15)


# --- the command ----------------------------------------------------------------------------------------------------

def test_json_has_the_scenarios_and_steps_the_issue_asks_for(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(["--json", "-c", "queues=sqs_a"], capsys)
    data = json.loads(out)
    assert code == 0 and set(data) == {"scenarios", "steps"}
    assert [s["name"] for s in data["scenarios"]] == ["from-zero", "warm-node", "warm-hours"]
    assert all(set(s) == {"name", "p50_s", "p90_s", "idle_tail_s"} for s in data["scenarios"])
    assert all({"name", "source"} <= set(s) for s in data["steps"])


def test_the_table_lists_each_scenario(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(["-c", "capacity=automode"], capsys)
    assert code == 0 and "EKS Auto Mode" in out
    assert all(f"\n{name} " in out for name in ("from-zero", "warm-node", "warm-hours"))


@pytest.mark.parametrize("argv, line", [
    (["-c", "nodes"], "error: -c nodes: is not KEY=VALUE. Write it like -c nodes=2\n"),
    (["--image-gb", "0"], "error: --image-gb: 0 is not an image size. Give the compressed size in GB, like 6\n"),
])
def test_bad_arguments_get_one_line(argv: list[str], line: str, capsys: pytest.CaptureFixture[str]):
    code, _, err = run(argv, capsys)
    assert (code, err) == (2, line)


def test_a_bad_setting_gets_its_one_line(capsys: pytest.CaptureFixture[str]):
    code, _, err = run(["-c", "capacity=fargate"], capsys)
    assert code == 2 and err.startswith("error: capacity: ") and err.count("\n") == 1


def test_with_a_runner_kept_a_bursts_extra_node_goes_after_the_hpa_window(knobs: Knobs):
    kept = shape(queues="sqs_a")  # nodesMin 1 keeps one runner: the burst's second runner goes by the HPA, not KEDA
    upstream = replace(knobs, cooldown_s=300, stabilization_s=300, scan_s=10, unneeded_s=600, grace_s=15)
    # 300 window + 7.5 (half the HPA's 15 s sync) + 15 grace + 600 unneeded + 5 + 20 termination
    assert model(kept, upstream, samples=4000).scenario("from-zero").idle_tail_s == pytest.approx(947.5, abs=5)


def test_the_table_says_when_warm_hours_keep_runners(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run(["-c", "queues=sqs_a", "-c", "warmHours=Mon-Fri 08:00-18:00 Europe/Berlin", "-c", "warmRunners=2"],
                       capsys)
    assert code == 0
    assert "* warmHours keeps 2 runner(s) up Mon-Fri 08:00-18:00 Europe/Berlin" in out


def test_without_queues_the_table_says_keda_does_not_scale_the_runner(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run([], capsys)
    assert code == 0 and "* Without queues (and autoscaling) KEDA is not installed" in out
    code, out, _ = run(["-c", "queues=sqs_a"], capsys)
    assert "KEDA is not installed" not in out


def test_fast_image_pull_makes_a_nodegroup_pull_in_parallel(knobs: Knobs):
    fast = chain("from-zero", shape(fastImagePull="true", **QUEUES), knobs)
    pull = next(step for step in fast if step.name.startswith("runner image pulled"))
    assert pull.name == "runner image pulled (SOCI parallel pull)"
    assert "nodeadm/doc/examples.md" in pull.source
    plain = model(shape(**QUEUES), knobs, samples=4000).scenario("from-zero")
    faster = model(shape(fastImagePull="true", **QUEUES), knobs, samples=4000).scenario("from-zero")
    # 96 s of pull at p50 (6 GB x 16 s) times 0.6: about 38 s less
    assert plain.p50_s - faster.p50_s == pytest.approx(38, abs=8)
