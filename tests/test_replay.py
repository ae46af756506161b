"""A day replayed (bench/replay.py, bench/day.py, bench/day_trace.py): placement, waits, and the hours paid.

Knobs here are literals, the upstream defaults where they are named (KEDA v2.20.2: pollingInterval 30, cooldown 300;
cluster-autoscaler 1.34.5: scan-interval 10s, scale-down-unneeded-time 10m, scale-down-delay-after-add 10m).
"""
from __future__ import annotations

import random
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bench import day_trace
from bench.day import Variant, run_variant
from bench.day import main as day_main
from bench.latency import Knobs, Shape
from bench.replay import TRACE, Day, Fleet, Task, fleet_of, read_trace, replay
from domain.warm_hours import parse_warm_hours
from settings import load_settings

UPSTREAM = Knobs(polling_s=30, cooldown_s=300, scan_s=10, unneeded_s=600, delay_after_add_s=600, consolidate_after_s=600,
                 grace_s=15, stabilization_s=300)
MIDNIGHT = datetime(2026, 12, 1, tzinfo=timezone.utc)
NOON = 12 * 3600.0
G4DN_XLARGE_USD = 0.526  # AWS Price List, on-demand Linux us-west-2, January 2026


def shape() -> Shape:
    return Shape.of(load_settings({"queues": "sqs_a", "nodesMin": "0", "nodes": "0"}, {}))


def fleet(nodes_min: int = 0, nodes_max: int = 3, warm: str | None = None) -> Fleet:
    return Fleet(nodes_min=nodes_min, nodes_max=nodes_max, warm_runners=1 if warm else 0,
                 warm_hours=parse_warm_hours(warm) if warm else None, usd_per_node_hour=G4DN_XLARGE_USD,
                 gpus_per_node=1, runner_gpus=1)


def day(tasks: list[Task], of: Fleet, seed: int = 1):
    return Day(shape(), UPSTREAM, of, MIDNIGHT, random.Random(seed)).replay(tasks)


def test_the_shipped_trace_is_what_its_generator_writes():
    lines = TRACE.read_text().splitlines()
    expected = [f"{at.strftime('%Y-%m-%dT%H:%M:%SZ')},{minutes:g}" for at, minutes in day_trace.arrivals()]
    assert lines == ["arrival_utc,minutes", *expected]


def test_the_trace_is_read_as_seconds_after_midnight(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("arrival_utc,minutes\n2026-12-01T12:00:30Z,2.5\n")
    midnight, tasks = read_trace(path)
    assert midnight == MIDNIGHT and tasks == [Task(at=NOON + 30, seconds=150)]


def test_a_kept_runner_takes_a_task_within_one_poll_cycle_and_its_node_is_paid_all_day():
    result = day([Task(NOON, 600)], fleet(nodes_min=1))
    assert result.waits[0] <= 15  # 5 s listening, 15 s backoff (studio-go-runner 0.14.2)
    assert result.node_hours == pytest.approx(24)


def test_from_zero_a_task_waits_for_a_node_and_the_node_is_paid_for_its_tail():
    result = day([Task(NOON, 600)], fleet())
    assert 120 < result.waits[0] < 600
    # 600 s of work plus the image pull, then 300 cooldown + 15 grace + 600 unneeded + scan and termination
    paid_s = result.node_hours * 3600
    assert 600 + 300 + 15 + 600 < paid_s < 600 + 600 + 300 + 15 + 600 + 100


def test_a_task_beyond_nodes_max_waits_for_a_runner_to_finish():
    result = day([Task(NOON, 3600), Task(NOON, 3600)], fleet(nodes_max=1))
    assert result.queued == 1
    assert result.waits[1] > 3600


def test_warm_hours_keep_a_runner_up_inside_the_window_and_not_outside():
    warm = fleet(warm="Mon-Fri 08:00-18:00 UTC")
    inside = day([Task(NOON, 600)], warm)
    outside = day([Task(20 * 3600.0, 600)], warm)
    assert inside.waits[0] <= 15
    assert outside.waits[0] > 60


def test_warm_hours_on_another_day_keep_nothing():
    sunday_only = day([Task(NOON, 600)], fleet(warm="Sun 08:00-18:00 UTC"))  # the trace's day is a Tuesday
    assert sunday_only.waits[0] > 60


def test_the_day_is_priced_per_node_hour_and_used_per_task_hour():
    result = replay("x", shape(), UPSTREAM, fleet(), runs=5)
    _, tasks = read_trace()
    used_hours = sum(t.seconds for t in tasks) / 3600
    assert result.gpu_hours_used == pytest.approx(used_hours)
    assert result.usd_paid == pytest.approx(result.node_hours * G4DN_XLARGE_USD)
    assert result.usd_used == pytest.approx(used_hours * G4DN_XLARGE_USD)
    assert result.node_hours > used_hours


def test_without_queues_the_fixed_runner_is_all_there_is():
    settings = load_settings({}, {})  # the default: runnerReplicas 1, nodesMin 1, no queues so no KEDA
    bounds = fleet_of(settings)
    assert (bounds.nodes_min, bounds.nodes_max) == (1, 1)


def test_auto_mode_keeps_no_node_of_its_own():
    bounds = fleet_of(load_settings({"capacity": "automode", "nodesMin": "0", "queues": "sqs_a"}, {}))
    assert bounds.nodes_min == 0 and bounds.nodes_max == 3


def test_make_day_prints_every_variant(capsys: pytest.CaptureFixture[str]):
    assert day_main([], environ={}) == 0
    out = capsys.readouterr().out
    assert "as configured" in out and "automode, scale to zero" in out and "warmHours" in out


def test_make_day_refuses_a_bad_setting_in_one_line(capsys: pytest.CaptureFixture[str]):
    assert day_main(["-c", "nodeType=m5.large"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: nodeType: ") and err.count("\n") == 1


def test_as_configured_keeps_the_configurations_own_warm_hours():
    to_zero = {"queues": "sqs_a", "nodesMin": "0", "nodes": "0"}
    warm = run_variant(Variant("as configured"), {**to_zero, "warmHours": "Mon-Fri 08:00-18:00 UTC"}, {}, runs=20)
    cold = run_variant(Variant("as configured"), to_zero, {}, runs=20)
    assert warm.node_hours > cold.node_hours and warm.p50_s < cold.p50_s


def test_auto_mode_rows_drop_what_only_a_nodegroup_takes(capsys: pytest.CaptureFixture[str]):
    assert day_main(["-c", "nodes=0", "-c", "nodesMin=0", "-c", "queues=sqs_a"], environ={}) == 0
    assert "automode, scale to zero" in capsys.readouterr().out


def test_fast_image_pull_adds_its_throughput_to_the_node_hour():
    plain = fleet_of(load_settings({"queues": "sqs_a"}, {}))
    fast = fleet_of(load_settings({"queues": "sqs_a", "fastImagePull": "true"}, {}))
    # 475 MiB/s above gp3's free 125 at $0.040 a MiB/s-month, over AWS's 730-hour month
    assert fast.usd_per_node_hour - plain.usd_per_node_hour == pytest.approx(475 * 0.040 / 730)
