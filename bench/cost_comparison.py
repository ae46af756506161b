"""`make cost` without arguments: the default, scale to zero, spot GPUs and Auto Mode side by side, idle and at full scale.

Each scenario is a few settings on top of what the user gave (`-c`), priced by bench/monthly_cost.py exactly as alone.
Scale to zero lists a queue: without one the runner's pod keeps a GPU node up, and KEDA (which scales it to zero)
is installed only with queues, so its pods count on the system nodes too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from bench.monthly_cost import monthly_costs
from bench.prices import HOURS_PER_MONTH, PRICE_REGION, PRICES_AS_OF, CostReport
from settings import load_settings

SCALE_TO_ZERO = {"nodesMin": "0", "nodes": "0", "queues": "sqs_runner"}
SCENARIOS: dict[str, dict[str, str]] = {
    "default (1 GPU node always up)": {},
    "scale to zero": SCALE_TO_ZERO,
    "scale to zero, spot GPUs": {**SCALE_TO_ZERO, "capacityType": "SPOT"},
    "automode, scale to zero": {**{k: v for k, v in SCALE_TO_ZERO.items() if k != "nodes"}, "capacity": "automode"},
}


@dataclass(frozen=True)
class Scenario:
    name: str
    report: CostReport

    @property
    def system(self) -> str:
        line = next((line for line in self.report.lines if line.key == "system_nodes"), None)
        return f"{line.idle_quantity} x {line.item.rsplit(', ', 1)[-1].split(' ')[0]}" if line else "none"


def compare(context: Mapping[str, str], environ: Mapping[str, str]) -> list[Scenario]:
    """SettingError or MissingPrice for a bad setting, as for one configuration."""
    return [Scenario(name, monthly_costs(load_settings({**context, **extra}, environ))) for name, extra in SCENARIOS.items()]


def render_comparison(scenarios: list[Scenario]) -> str:
    width = max(len(s.name) for s in scenarios) + 2
    rows = [f"Monthly cost ({HOURS_PER_MONTH} h), on-demand Linux list prices for {PRICE_REGION} as of {PRICES_AS_OF}, in USD",
            "",
            f"{'':<{width}}{'system nodes':<18}{'idle':>12}{'full scale':>14}"]
    for s in scenarios:
        rows.append(f"{s.name:<{width}}{s.system:<18}{s.report.idle_total:>12,.2f}{s.report.full_total:>14,.2f}")
    rows += ["",
             "* Spot GPUs are priced at the on-demand rate, their ceiling: spot is usually far cheaper, varies by zone and "
             "hour, and AWS can reclaim the nodes.",
             "* Line by line: make cost CDK_ARGS=\"-c <setting>=<value> ...\" prints one configuration's bill."]
    return "\n".join(rows)
