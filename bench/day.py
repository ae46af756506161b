"""`make day`: bench/day_trace.csv replayed (bench/replay.py) for the configuration and for each scaling knob alone.

Prints, per variant, the time from a task's arrival to it running (p50, p90, worst over RUNS replays) and the GPU node
hours paid against the GPU hours the tasks used, priced as `make cost` prices them (bench/prices.py, on-demand):

    python bench/day.py -c queues=sqs_runner
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import context_args  # noqa: E402
from bench.prices import PRICE_REGION, PRICES_AS_OF, MissingPrice  # noqa: E402
from bench.latency import Knobs, Shape  # noqa: E402
from bench.replay import RUNS, Replay, fleet_of, replay  # noqa: E402
from domain.warm_hours import WarmHours, parse_warm_hours  # noqa: E402
from settings import SettingError, load_settings  # noqa: E402
from settings.unused import unused_settings  # noqa: E402

SCALE_TO_ZERO = {"nodesMin": "0", "nodes": "0", "queues": "sqs_runner"}
TRACE_WARM_HOURS = "Mon-Fri 08:00-18:00 UTC"  # the trace's day is a Tuesday in UTC


@dataclass(frozen=True)
class Variant:
    name: str
    context: Mapping[str, str] = field(default_factory=dict)
    knobs: Mapping[str, float] = field(default_factory=dict)
    warm_hours: str | None = None
    warm_runners: int = 0


# This project's scaling values before they were chosen from the latency model (charts/queue_scaling.py,
# charts/cluster_autoscaler.py, charts/gpu_node_pool.py at 2a92f7d): the baseline each knob is changed from, alone.
BEFORE = {"polling_s": 30, "cooldown_s": 900, "unneeded_s": 600, "stabilization_s": 600, "consolidate_after_s": 600}
AUTOMODE_TO_ZERO = {"capacity": "automode", "nodesMin": "0", "queues": "sqs_runner"}

VARIANTS: tuple[Variant, ...] = (
    Variant("as configured"),
    Variant("scale to zero, values before", SCALE_TO_ZERO, BEFORE),
    Variant("  + pollingInterval 10 s", SCALE_TO_ZERO, {**BEFORE, "polling_s": 10}),
    Variant("  + cooldownPeriod 120 s", SCALE_TO_ZERO, {**BEFORE, "cooldown_s": 120}),
    Variant("  + scale-down-unneeded-time 2m", SCALE_TO_ZERO, {**BEFORE, "unneeded_s": 120}),
    Variant("  + HPA scale-down window 120 s", SCALE_TO_ZERO, {**BEFORE, "stabilization_s": 120}),
    Variant("scale to zero, the values now", SCALE_TO_ZERO),
    Variant("  + warmHours Mon-Fri 08:00-18:00, 1 runner", SCALE_TO_ZERO, warm_hours=TRACE_WARM_HOURS, warm_runners=1),
    Variant("  + fastImagePull", {**SCALE_TO_ZERO, "fastImagePull": "true"}),
    Variant("automode, scale to zero, values before", AUTOMODE_TO_ZERO, BEFORE),
    Variant("automode, scale to zero, the values now", AUTOMODE_TO_ZERO),
    Variant("  + warmHours Mon-Fri 08:00-18:00, 1 runner", AUTOMODE_TO_ZERO, warm_hours=TRACE_WARM_HOURS, warm_runners=1),
)


def run_variant(variant: Variant, context: Mapping[str, str], environ: Mapping[str, str], runs: int = RUNS) -> Replay:
    # Drop what the variant leaves unused (what only shapes a nodegroup, for Auto Mode), as bench/cost_comparison.py does.
    unused = unused_settings({**context, **variant.context}) - unused_settings(context) - set(variant.context)
    context = {k: v for k, v in context.items() if k not in unused}
    settings = load_settings({**context, **variant.context}, environ)
    knobs = replace(Knobs.deployed(), **variant.knobs)
    warm: WarmHours | None
    if variant.warm_hours:
        warm, runners = parse_warm_hours(variant.warm_hours), variant.warm_runners
    else:  # the configuration's own warm hours, if any
        warm, runners = settings.scaling.warm_window, settings.scaling.warm_runners if settings.scaling.warm_window else 0
    return replay(variant.name, Shape.of(settings), knobs, fleet_of(settings, warm, runners), runs=runs)


def _clock(value: float) -> str:
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}:{secs:02d}"


def render(results: Sequence[Replay]) -> str:
    width = max(len(r.name) for r in results) + 2
    rows = [f"A day replayed: bench/day_trace.csv, {RUNS} runs; time to first task and GPU hours, on-demand "
            f"{PRICE_REGION} prices as of {PRICES_AS_OF}",
            "",
            f"{'':<{width}}{'p50':>7}{'p90':>7}{'worst':>7}{'queued':>8}{'GPU h paid':>12}{'used':>7}{'USD paid':>10}{'idle USD':>10}"]
    for r in results:
        rows.append(f"{r.name:<{width}}{_clock(r.p50_s):>7}{_clock(r.p90_s):>7}{_clock(r.max_s):>7}{r.queued:>8.1f}"
                    f"{r.node_hours:>12.1f}{r.gpu_hours_used:>7.1f}{r.usd_paid:>10.2f}{r.usd_paid - r.usd_used:>10.2f}")
    rows += ["", "* queued: tasks a day that found nodesMax nodes busy and waited for a runner to finish.",
             "* values before: this project's scaling values before the latency model chose them (KEDA pollingInterval 30 s, cooldownPeriod "
             "900 s, HPA scale-down window 600 s, scale-down-unneeded-time and consolidateAfter 10m). Each + row changes "
             "one thing alone from the last row without a +.",
             "* The trace and its generator: bench/day_trace.py. Warm hours are in UTC, the trace's zone."]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = context_args.parser(__doc__.splitlines()[0], prog="bench/day.py")
    try:
        args, context = context_args.parse(parser, argv)
    except context_args.BadArguments as err:
        print(err.line, file=sys.stderr)
        return 2
    try:
        results = [run_variant(variant, context, environ) for variant in VARIANTS]
    except (SettingError, MissingPrice) as err:
        print(err.line, file=sys.stderr)
        return 2
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
