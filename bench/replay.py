"""A day replayed: the tasks of bench/day_trace.csv through the latency model, for one configuration and its knobs.

Each task arrives at its time; it goes to an idle runner if one is up, to a GPU node whose runner was scaled away, or to
a new node (up to nodesMax), else it waits for the first runner to finish. Every wait is drawn from the steps of
bench/latency_steps.py; runners and nodes leave as bench/latency.py's idle tail says (KEDA's cooldown for the last
runner, the HPA's scale-down window for the others, then the autoscaler's or Auto Mode's delay), and nodesMin's and
warm hours' runners stay. A node is paid from the moment it is asked for until EC2 stops billing it, at bench/prices.py's
prices; the day is replayed RUNS times with different seeds.

Simplifications: one runner per node (`runnersPerNode` > 1 counts as one slot per node), and the HPA adds every runner a
burst needs at once.
"""
from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Sequence

from bench.prices import HOURS_PER_MONTH, hourly_price
from bench.latency import Knobs, Shape, chain, extra_runner_goes, last_runner_goes, quantile
from bench import latency_steps as steps
from domain.image_pull import FAST_PULL_THROUGHPUT_MIBPS, GP3_BASELINE_THROUGHPUT_MIBPS, GP3_USD_PER_MIBPS_MONTH
from domain.warm_hours import WarmHours
from settings import Settings

TRACE = Path(__file__).with_name("day_trace.csv")
RUNS = 200
DAY_S = 24 * 3600.0
NEVER = math.inf


@dataclass(frozen=True)
class Task:
    at: float  # seconds after the day's midnight, UTC
    seconds: float


def read_trace(path: Path = TRACE) -> tuple[datetime, list[Task]]:
    """The day's midnight (UTC) and its tasks."""
    with path.open(newline="") as handle:
        rows = [(datetime.strptime(row["arrival_utc"], "%Y-%m-%dT%H:%M:%S%z"), float(row["minutes"]))
                for row in csv.DictReader(handle)]
    midnight = rows[0][0].replace(hour=0, minute=0, second=0)
    return midnight, [Task((at - midnight).total_seconds(), minutes * 60) for at, minutes in rows]


@dataclass(frozen=True)
class Fleet:
    """What bounds the fleet: nodes kept always, nodes at most, the runners warm hours keep, its price."""
    nodes_min: int
    nodes_max: int
    warm_runners: int
    warm_hours: WarmHours | None
    usd_per_node_hour: float
    gpus_per_node: int
    runner_gpus: int


@dataclass
class Slot:
    """One GPU node and its runner."""
    index: int
    paid_from: float
    ready_at: float  # the runner is up and polling
    busy_until: float = 0.0
    runner_gone: float = NEVER
    node_gone: float = NEVER


@dataclass
class DayResult:
    waits: list[float] = field(default_factory=list)  # seconds from arrival to the task running, per task
    node_hours: float = 0.0
    queued: int = 0  # tasks that found every node busy at nodesMax and waited for a runner to finish


class Day:
    """One replay of the day with one seed."""

    def __init__(self, shape: Shape, knobs: Knobs, fleet: Fleet, midnight: datetime, rng: random.Random) -> None:
        self.shape, self.knobs, self.fleet, self.rng = shape, knobs, fleet, rng
        windows = fleet.warm_hours.windows(midnight.date() - timedelta(days=1), midnight.date() + timedelta(days=1)) \
            if fleet.warm_hours and fleet.warm_runners else []
        self.windows = [((s - midnight).total_seconds(), (e - midnight).total_seconds()) for s, e in windows]
        self.slots: list[Slot] = []
        self.retired: list[Slot] = []
        self.last_scale_up = -NEVER
        self.queued = 0

    # --- draws -----------------------------------------------------------------------------------------------------
    def _draw(self, chain_steps: Sequence[steps.Step]) -> list[float]:
        return [step.distribution.sample(self.rng) for step in chain_steps]

    def _first_step(self, now: float) -> float:
        """KEDA wakes the first runner at its poll; the HPA adds the others at its sync."""
        if any(s.ready_at <= now < s.runner_gone for s in self.slots):
            return steps.HPA_SYNC.distribution.sample(self.rng)
        return steps.keda_poll(self.knobs.polling_s).distribution.sample(self.rng)

    def _cold(self, now: float) -> tuple[float, float]:
        """(delay until the node is asked for, delay until its runner polls) for a new node."""
        chain_steps = chain("from-zero", self.shape, self.knobs)
        draws = self._draw(chain_steps)
        draws[0] = self._first_step(now)
        boot = next(i for i, step in enumerate(chain_steps) if "boots" in step.name)
        return sum(draws[:boot]), sum(draws)

    def _warm_node(self, now: float) -> float:
        draws = self._draw(chain("warm-node", self.shape, self.knobs))
        draws[0] = self._first_step(now)
        return sum(draws)

    def _pickup(self) -> float:
        return steps.RUNNER_IDLE_PICKUP.distribution.sample(self.rng)

    # --- what keeps a runner -----------------------------------------------------------------------------------------
    def _kept_until(self, slot: Slot, idle_from: float) -> float:
        if slot.index < self.fleet.nodes_min:
            return NEVER
        if slot.index < self.fleet.warm_runners:
            for start, end in self.windows:
                if start <= idle_from < end:
                    return end
        return idle_from

    def _retire_after(self, slot: Slot, idle_from: float) -> None:
        """When the runner and then the node go, once the slot is idle from `idle_from`."""
        kept = self._kept_until(slot, idle_from)
        if kept == NEVER:
            slot.runner_gone = slot.node_gone = NEVER
            return
        last = slot.index == 0 or all(o.runner_gone <= kept for o in self.slots if o is not slot)
        goes = last_runner_goes(self.knobs) if last else extra_runner_goes(self.knobs)
        slot.runner_gone = kept + goes.distribution.sample(self.rng)
        after = slot.runner_gone + self.knobs.grace_s
        if self.shape.automode:
            after += self.knobs.consolidate_after_s + self.rng.uniform(0, 10)
        else:
            after = max(after + self.knobs.unneeded_s + self.rng.uniform(0, self.knobs.scan_s),
                        self.last_scale_up + self.knobs.delay_after_add_s)
        slot.node_gone = after + steps.NODE_TERMINATES.distribution.sample(self.rng)

    # --- the day -----------------------------------------------------------------------------------------------------
    def _drop_gone(self, now: float) -> None:
        for slot in [s for s in self.slots if s.node_gone <= now]:
            self.slots.remove(slot)
            self.retired.append(slot)

    def _new_slot(self, now: float) -> Slot:
        taken = {s.index for s in self.slots}
        index = next(i for i in range(len(self.slots) + 1) if i not in taken)
        asked, ready = self._cold(now)
        slot = Slot(index, paid_from=now + asked, ready_at=now + ready)
        self.last_scale_up = now + asked
        self.slots.append(slot)
        return slot

    def _warm_window_opens(self, start: float) -> None:
        self._drop_gone(start)
        for index in range(self.fleet.warm_runners):
            slot = next((s for s in self.slots if s.index == index), None)
            if slot is None:
                taken = {s.index for s in self.slots}
                if index in taken or len(self.slots) >= self.fleet.nodes_max:
                    continue
                asked, ready = self._cold(start)
                slot = Slot(index, paid_from=start + asked, ready_at=start + ready)
                self.last_scale_up = start + asked
                self.slots.append(slot)
            elif slot.runner_gone <= start:
                slot.ready_at = start + self._warm_node(start)
            if slot.busy_until <= start:
                self._retire_after(slot, max(start, slot.ready_at))

    def _place(self, task: Task) -> float:
        now = task.at
        self._drop_gone(now)
        idle = [s for s in self.slots if s.busy_until <= now]
        warm = [s for s in idle if s.ready_at <= now < s.runner_gone]
        starting = [s for s in idle if s.ready_at > now]
        runnerless = [s for s in idle if s.runner_gone <= now]
        if warm:
            slot, start = min(warm, key=lambda s: s.index), now + self._pickup()
        elif starting:
            slot = min(starting, key=lambda s: s.ready_at)
            start = slot.ready_at
        elif runnerless:
            slot = min(runnerless, key=lambda s: s.index)
            slot.ready_at = now + self._warm_node(now)
            start = slot.ready_at
        elif len(self.slots) < self.fleet.nodes_max:
            slot = self._new_slot(now)
            start = slot.ready_at
        else:
            self.queued += 1
            slot = min(self.slots, key=lambda s: s.busy_until)
            start = slot.busy_until + self._pickup()
        slot.busy_until = start + task.seconds
        self._retire_after(slot, slot.busy_until)
        return start - now

    def replay(self, tasks: Sequence[Task]) -> DayResult:
        result = DayResult()
        for index in range(self.fleet.nodes_min):  # nodesMin's nodes are up all day, their runners polling
            self.slots.append(Slot(index, paid_from=0.0, ready_at=0.0))
        events = sorted([(start, 0, None) for start, _ in self.windows if 0 <= start < DAY_S]
                        + [(task.at, 1, task) for task in tasks], key=lambda e: (e[0], e[1]))
        for at, _, task in events:
            if task is None:
                self._warm_window_opens(at)
            else:
                result.waits.append(self._place(task))
        result.queued = self.queued
        for slot in self.slots + self.retired:
            end = DAY_S if slot.node_gone == NEVER else slot.node_gone
            result.node_hours += max(0.0, end - slot.paid_from) / 3600
        return result


@dataclass(frozen=True)
class Replay:
    name: str
    waits: tuple[float, ...]  # sorted, every task of every run
    node_hours: float  # mean over the runs
    queued: float  # tasks a day that waited for a busy fleet, mean over the runs
    gpu_hours_used: float
    usd_paid: float
    usd_used: float

    @property
    def p50_s(self) -> float:
        return quantile(self.waits, 0.5)

    @property
    def p90_s(self) -> float:
        return quantile(self.waits, 0.9)

    @property
    def max_s(self) -> float:
        return self.waits[-1]


def replay(name: str, shape: Shape, knobs: Knobs, fleet: Fleet, *, runs: int = RUNS, seed: int = 20,
           trace: Path = TRACE) -> Replay:
    midnight, tasks = read_trace(trace)
    waits: list[float] = []
    node_hours = queued = 0.0
    for run in range(runs):
        result = Day(shape, knobs, fleet, midnight, random.Random(seed * 1000 + run)).replay(tasks)
        waits += result.waits
        node_hours += result.node_hours
        queued += result.queued
    node_hours /= runs
    used = sum(task.seconds for task in tasks) / 3600 * fleet.runner_gpus
    per_gpu_hour = fleet.usd_per_node_hour / fleet.gpus_per_node
    return Replay(name, tuple(sorted(waits)), node_hours, queued / runs, used, node_hours * fleet.usd_per_node_hour,
                  used * per_gpu_hour)


def fleet_of(settings: Settings, warm_hours: WarmHours | None = None, warm_runners: int = 0) -> Fleet:
    """The fleet bounds of a configuration: the cheapest listed type, the nodes its kept runners hold."""
    node = min(settings.node.gpu_instance_types, key=lambda n: hourly_price(n.name, "nodeType"))
    runners_kept = settings.runner_replica_bounds[0] if settings.queue_autoscaling else settings.runner.runner_replicas
    nodes_kept = math.ceil(runners_kept / settings.runners_per_node)
    if not settings.node.automode:  # a nodegroup's minimum stays up whatever runs on it; Auto Mode has none
        nodes_kept = max(nodes_kept, settings.node.nodes_min)
    # Without KEDA nothing adds runners: the fixed ones are all there is.
    nodes_max = settings.node.nodes_max if settings.queue_autoscaling else max(1, nodes_kept)
    return Fleet(nodes_min=nodes_kept, nodes_max=nodes_max, warm_runners=warm_runners, warm_hours=warm_hours,
                 usd_per_node_hour=hourly_price(node.name, "nodeType") + _throughput_per_hour(settings), gpus_per_node=node.gpus,
                 runner_gpus=settings.runner.runner_gpus)


def _throughput_per_hour(settings: Settings) -> float:
    """fastImagePull's gp3 throughput, as bench/monthly_cost.py prices it a month, per node-hour."""
    if not settings.node.fast_image_pull:
        return 0.0
    extra = FAST_PULL_THROUGHPUT_MIBPS - GP3_BASELINE_THROUGHPUT_MIBPS
    return extra * GP3_USD_PER_MIBPS_MONTH / HOURS_PER_MONTH
