"""`make latency`: time from a message in SQS to a runner working on it, and the GPU time paid after the queue empties.

Reads the same settings as the app (`-c key=value`, then the environment fallbacks, then the defaults) and the scaling
values the charts deploy, chains the steps of bench/latency_steps.py (each a distribution with its source) and samples
the chain with a fixed seed:

    python bench/latency.py -c capacity=automode --json

Scenarios: from-zero (no GPU node, no runner), warm-node (the node and its image are there, the runner was scaled to
0), warm-hours (a runner is up and polling, as warmHours or nodesMin >= 1 keep it).
"""
from __future__ import annotations

import json
import os
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import context_args  # noqa: E402
from bench import latency_steps as steps  # noqa: E402
from bench.latency_steps import Distribution, Fixed, Step, Uniform  # noqa: E402
from charts import gpu_node_pool, queue_scaling, runner  # noqa: E402
from settings import SettingError, Settings, load_settings  # noqa: E402
from stacks.addons.cluster_autoscaler import cluster_autoscaler_values  # noqa: E402

SEED = 20
SAMPLES = 20_000
SCENARIOS = ("from-zero", "warm-node", "warm-hours")
BUILT_IN_DEVICE_PLUGIN_AMIS = ("BOTTLEROCKET_x86_64_NVIDIA", "BOTTLEROCKET_ARM_64_NVIDIA")
# cluster-autoscaler's own defaults for flags the chart leaves unset (kubernetes/autoscaler cluster-autoscaler-1.34.5:
# config/const.go:55 scan-interval 10s, config/flags/flags.go:75 scale-down-delay-after-add 10m).
CA_DEFAULT_SCAN_S = 10.0
CA_DEFAULT_DELAY_AFTER_ADD_S = 600.0
CA_DEFAULT_UNNEEDED_S = 600.0  # config/const.go:45


def seconds(duration: str) -> float:
    """A Go-style duration of whole units, as the charts write them: `90s`, `10m`, `1h30m`."""
    parts = re.findall(r"(\d+)([hms])", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"{duration!r} is not a duration like 90s, 10m or 1h30m")
    return float(sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts))


@dataclass(frozen=True)
class Knobs:
    """The scaling values that shape the chain; `deployed()` reads the ones the charts write."""
    polling_s: float
    cooldown_s: float
    scan_s: float
    unneeded_s: float
    delay_after_add_s: float
    consolidate_after_s: float
    grace_s: float
    stabilization_s: float  # the HPA's scale-down window: how an extra runner (not the last) goes

    @classmethod
    def deployed(cls) -> "Knobs":
        args = cluster_autoscaler_values(cluster_name="model", region="us-west-2", kubernetes_version="1.34")["extraArgs"]
        return cls(polling_s=float(queue_scaling.POLLING_INTERVAL_SECONDS),
                   cooldown_s=float(queue_scaling.COOLDOWN_PERIOD_SECONDS),
                   scan_s=seconds(args["scan-interval"]) if "scan-interval" in args else CA_DEFAULT_SCAN_S,
                   unneeded_s=seconds(args.get("scale-down-unneeded-time", "10m")),
                   delay_after_add_s=(seconds(args["scale-down-delay-after-add"]) if "scale-down-delay-after-add" in args
                                      else CA_DEFAULT_DELAY_AFTER_ADD_S),
                   consolidate_after_s=seconds(gpu_node_pool.EMPTY_NODE_GRACE),
                   grace_s=float(runner.TERMINATION_GRACE_PERIOD_SECONDS),
                   stabilization_s=float(queue_scaling.SCALE_DOWN_STABILIZATION_SECONDS))


@dataclass(frozen=True)
class Shape:
    """What of the configuration the chain depends on."""
    automode: bool
    built_in_device_plugin: bool
    image: str
    image_gb: float
    image_gb_source: str
    node_type: str
    warm_runners_always: int  # runners KEDA never scales below (nodesMin's)
    warm_hours: str | None = None  # warmHours, with warm_runners kept in them
    warm_runners: int = 0
    keda: bool = True  # whether KEDA scales the runner (queues and autoscaling)
    fast_image_pull: bool = False  # nodeadm's FastImagePull on AL2023 nodegroups

    @classmethod
    def of(cls, settings: Settings, image_gb: float | None = None) -> "Shape":
        image = settings.runner.runner_image
        known = steps.IMAGE_GB.get(image, steps.IMAGE_GB_UNKNOWN)
        gb = image_gb if image_gb is not None else known
        source = (f"given: {gb:g} GB (--image-gb)" if image_gb is not None
                  else steps.IMAGE_GB_SOURCE.format(gb=gb))
        return cls(automode=settings.node.automode,
                   built_in_device_plugin=settings.node.automode or settings.node.gpu_ami_type in BUILT_IN_DEVICE_PLUGIN_AMIS,
                   image=image, image_gb=gb, image_gb_source=source, node_type=settings.node.node_type[0],
                   warm_runners_always=settings.runner_replica_bounds[0] if settings.queue_autoscaling
                   else settings.runner.runner_replicas,
                   warm_hours=settings.scaling.warm_hours, warm_runners=settings.scaling.warm_runners if settings.scaling.warm_hours else 0,
                   keda=settings.queue_autoscaling, fast_image_pull=settings.node.fast_image_pull)


def chain(scenario: str, shape: Shape, knobs: Knobs) -> list[Step]:
    """The steps of one scenario, in order."""
    if scenario == "warm-hours":
        return [steps.RUNNER_IDLE_PICKUP]
    first = [steps.keda_poll(knobs.polling_s), steps.POD_CREATED]
    last = [steps.CONTAINER_START, steps.RUNNER_FIRST_FETCH]
    if scenario == "warm-node":
        return first + [steps.CACHED_PULL] + last
    if scenario != "from-zero":
        raise ValueError(f"unknown scenario {scenario!r}")
    if shape.automode:
        node = [steps.KARPENTER_BATCH, steps.AUTOMODE_BOOT]
    else:
        node = [steps.autoscaler_notices(knobs.scan_s), steps.AUTOSCALER_LOOP, steps.NODEGROUP_BOOT]
    plugin = steps.DEVICE_PLUGIN_BUILT_IN if shape.built_in_device_plugin else steps.DEVICE_PLUGIN_DAEMONSET
    soci = steps.SOCI_AUTOMODE_SOURCE if shape.automode else steps.SOCI_NODEADM_SOURCE if shape.fast_image_pull else None
    pull = steps.image_pull(shape.image_gb, shape.image_gb_source, soci=soci)
    return first + node + [plugin, pull] + last


def idle_tail(shape: Shape, knobs: Knobs) -> list[Step]:
    """GPU time paid for a node added for a burst, from its last task's end until EC2 stops billing it.

    Scaling to zero, the last runner goes after KEDA's cooldown; with runners kept (nodesMin), a burst's extra runner
    goes when the HPA's scale-down window has passed.
    """
    if shape.warm_runners_always:
        runner_goes = extra_runner_goes(knobs)
    else:
        runner_goes = last_runner_goes(knobs)
    tail = [runner_goes,
            Step("runner pod terminates", Fixed(knobs.grace_s),
                 "charts/runner.py TERMINATION_GRACE_PERIOD_SECONDS (the runner ignores SIGTERM once it has reported)")]
    if shape.automode:
        tail.append(Step("Auto Mode consolidates the empty node", _shifted(knobs.consolidate_after_s, Uniform(0, 10)),
                         "charts/gpu_node_pool.py consolidateAfter (karpenter.sh v1 NodePool disruption); the "
                         "disruption loop's 0-10 s is an assumption", assumption=True))
    else:
        tail.append(Step("cluster-autoscaler removes the unneeded node",
                         _shifted(knobs.unneeded_s, Uniform(0, knobs.scan_s)),
                         f"{steps.CA_SOURCE}: config/const.go:45 (scale-down-unneeded-time 10m) and our value in "
                         "stacks/addons/cluster_autoscaler, found at the next scan"))
    return tail + [steps.NODE_TERMINATES]


def last_runner_goes(knobs: Knobs) -> Step:
    return Step("KEDA cooldown, then scale to 0", _shifted(knobs.cooldown_s, Uniform(0, knobs.polling_s)),
                steps.KEDA_COOLDOWN_SOURCE)


def extra_runner_goes(knobs: Knobs) -> Step:
    return Step("HPA scale-down window, then one runner less", _shifted(knobs.stabilization_s, Uniform(0, 15)),
                "charts/queue_scaling.py stabilizationWindowSeconds; HPA sync period 15s (kube-controller-manager "
                "reference)")


@dataclass(frozen=True)
class _Shifted:
    offset: float
    rest: Distribution

    def sample(self, rng: random.Random) -> float:
        return self.offset + self.rest.sample(rng)

    def describe(self) -> str:
        return f"{self.offset:g} s + {self.rest.describe()}"


def _shifted(offset: float, rest: Distribution) -> Distribution:
    return _Shifted(offset, rest)


def quantile(values: Sequence[float], q: float) -> float:
    """Nearest-rank quantile of sorted `values`."""
    index = min(len(values) - 1, max(0, round(q * len(values)) - 1))
    return values[index]


def sample_chain(chain_steps: Sequence[Step], rng: random.Random, samples: int) -> tuple[list[float], list[list[float]]]:
    """Sorted totals, and each step's sorted samples."""
    per_step = [[step.distribution.sample(rng) for _ in range(samples)] for step in chain_steps]
    totals = sorted(sum(column) for column in zip(*per_step, strict=True)) if per_step else [0.0] * samples
    return totals, [sorted(values) for values in per_step]


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    p50_s: float
    p90_s: float
    idle_tail_s: float


# One step as a report lists it: its distribution and source, what it sampled, and the parts (scenarios, idle tail) it is in.
StepSummary = TypedDict("StepSummary", {"name": str, "source": str, "assumption": bool, "distribution": str, "p50_s": float,
                                        "p90_s": float, "in": list[str]})


@dataclass(frozen=True)
class Report:
    shape: Shape
    knobs: Knobs
    scenarios: tuple[ScenarioResult, ...]
    steps: tuple[StepSummary, ...]
    parts: Mapping[str, tuple[int, ...]]  # each scenario's (and idle-tail's) steps, in chain order, as indices into steps

    def scenario(self, name: str) -> ScenarioResult:
        return next(s for s in self.scenarios if s.name == name)

    def as_json(self) -> dict[str, object]:
        return {"scenarios": [{"name": s.name, "p50_s": s.p50_s, "p90_s": s.p90_s, "idle_tail_s": s.idle_tail_s}
                              for s in self.scenarios],
                "steps": list(self.steps)}


def model(shape: Shape, knobs: Knobs, *, seed: int = SEED, samples: int = SAMPLES) -> Report:
    rng = random.Random(seed)
    described: dict[tuple[str, str], StepSummary] = {}

    parts: dict[str, list[int]] = {}

    def record(part: str, chain_steps: Sequence[Step], per_step: Sequence[Sequence[float]]) -> None:
        for step, values in zip(chain_steps, per_step, strict=True):
            entry = described.setdefault((step.name, step.distribution.describe()), {
                "name": step.name, "source": step.source, "assumption": step.assumption,
                "distribution": step.distribution.describe(),
                "p50_s": round(quantile(values, 0.5), 1), "p90_s": round(quantile(values, 0.9), 1), "in": []})
            entry["in"].append(part)
            parts.setdefault(part, []).append(list(described).index((step.name, step.distribution.describe())))

    tail_steps = idle_tail(shape, knobs)
    tail_totals, tail_per_step = sample_chain(tail_steps, rng, samples)
    tail_p50 = round(quantile(tail_totals, 0.5), 1)
    results = []
    for name in SCENARIOS:
        chain_steps = chain(name, shape, knobs)
        totals, per_step = sample_chain(chain_steps, rng, samples)
        record(name, chain_steps, per_step)
        results.append(ScenarioResult(name, round(quantile(totals, 0.5), 1), round(quantile(totals, 0.9), 1), tail_p50))
    record("idle-tail", tail_steps, tail_per_step)
    return Report(shape, knobs, tuple(results), tuple(described.values()),
                  {part: tuple(indices) for part, indices in parts.items()})


def _clock(value: float) -> str:
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}:{secs:02d}"


def render(report: Report) -> str:
    shape, knobs = report.shape, report.knobs
    capacity = "EKS Auto Mode" if shape.automode else "managed nodegroup + cluster-autoscaler"
    rows = [f"Time to first task: {capacity}, {shape.node_type}, {shape.image} ({shape.image_gb:g} GB)",
            f"KEDA pollingInterval {knobs.polling_s:g} s, cooldownPeriod {knobs.cooldown_s:g} s; "
            + (f"consolidateAfter {knobs.consolidate_after_s:g} s" if shape.automode
               else f"scan-interval {knobs.scan_s:g} s, scale-down-unneeded-time {knobs.unneeded_s:g} s"),
            "",
            f"{'scenario':<12}{'p50':>8}{'p90':>8}{'idle tail p50':>16}"]
    for s in report.scenarios:
        rows.append(f"{s.name:<12}{_clock(s.p50_s):>8}{_clock(s.p90_s):>8}{_clock(s.idle_tail_s):>16}")
    rows += ["", "Steps (p50 / p90 in seconds; * = assumption, no published figure):"]
    for part in (*SCENARIOS, "idle-tail"):
        rows.append(f"  {part}:")
        for entry in (report.steps[i] for i in report.parts[part]):
            mark = "*" if entry["assumption"] else " "
            rows.append(f"   {mark} {entry['name']:<44}{entry['p50_s']:>7g}{entry['p90_s']:>8g}  {entry['source']}")
    if shape.warm_hours:
        rows += ["", f"* warmHours keeps {shape.warm_runners} runner(s) up {shape.warm_hours}: in those hours the first "
                 "tasks start as in warm-hours."]
    if not shape.keda:
        rows += ["", "* Without queues (and autoscaling) KEDA is not installed: the runner's replicas are fixed, so its tasks "
                 "start as in warm-hours; from-zero and warm-node show what a scaling configuration would do."]
    if shape.warm_runners_always:
        rows += ["", f"* This configuration keeps {shape.warm_runners_always} runner(s) up at all times (nodesMin): "
                 "a task that finds one idle starts as in warm-hours."]
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] = os.environ) -> int:
    parser = context_args.parser(__doc__.splitlines()[0], prog="bench/latency.py")
    parser.add_argument("--json", action="store_true", help="print the scenarios and steps as JSON")
    parser.add_argument("--image-gb", type=float, default=None, help="the runner image's compressed size in GB")
    try:
        args, context = context_args.parse(parser, argv)
    except context_args.BadArguments as err:
        print(err.line, file=sys.stderr)
        return 2
    if args.image_gb is not None and not 0 < args.image_gb < 1000:
        print(f"error: --image-gb: {args.image_gb:g} is not an image size. Give the compressed size in GB, like 6",
              file=sys.stderr)
        return 2
    try:
        settings = load_settings(context, environ)
    except SettingError as err:
        print(err.line, file=sys.stderr)
        return 2
    report = model(Shape.of(settings, args.image_gb), Knobs.deployed())
    print(json.dumps(report.as_json(), indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
