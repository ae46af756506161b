"""Writes bench/day_trace.csv: one working day of task arrivals for `make day` to replay. Seeded: rerunning gives the same file.

No real trace of studio-go-runner users was available, so the day is made, and every figure below is an assumption:
a small team's Tuesday (2026-12-01, times in UTC) with bursts of experiments. Bursts start at a Poisson rate of
1 an hour from 08:00 to 18:00 and 0.15 an hour outside; each holds 1 to 3 tasks (geometric, mean 2, cut at 3) sent
within two minutes; a task runs log-normal minutes, median 10, 90th percentile 40.

    python bench/day_trace.py > bench/day_trace.csv
"""
from __future__ import annotations

import math
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 20
DAY = datetime(2026, 12, 1, tzinfo=timezone.utc)  # a Tuesday
WORK_HOURS = (8, 18)
BURSTS_PER_HOUR = {"work": 1.0, "off": 0.15}
MEAN_BURST = 2.0
MAX_BURST = 3
SPREAD_S = 120
MINUTES_P50, MINUTES_P90 = 10.0, 40.0
Z90 = 1.2815515655446004


def arrivals(seed: int = SEED) -> list[tuple[datetime, float]]:
    """(arrival, minutes of work) for each task of the day, in arrival order."""
    rng = random.Random(seed)
    sigma = math.log(MINUTES_P90 / MINUTES_P50) / Z90
    tasks: list[tuple[datetime, float]] = []
    for hour in range(24):
        rate = BURSTS_PER_HOUR["work" if WORK_HOURS[0] <= hour < WORK_HOURS[1] else "off"]
        at = 0.0
        while True:
            at += rng.expovariate(rate) * 3600
            if at >= 3600:
                break
            size = 1
            while size < MAX_BURST and rng.random() > 1 / MEAN_BURST:
                size += 1
            start = DAY + timedelta(hours=hour, seconds=at)
            for _ in range(size):
                minutes = rng.lognormvariate(math.log(MINUTES_P50), sigma)
                tasks.append((start + timedelta(seconds=rng.uniform(0, SPREAD_S)), round(minutes, 1)))
    return sorted(tasks)


def main() -> int:
    print("arrival_utc,minutes")
    for arrival, minutes in arrivals():
        print(f"{arrival.strftime('%Y-%m-%dT%H:%M:%SZ')},{minutes:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
