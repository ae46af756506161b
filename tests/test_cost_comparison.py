"""`make cost` compares the capacity choices; Auto Mode's bill has its own lines (bench/automode_cost.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.automode_cost import AUTOMODE_FEE_SHARE, AUTOMODE_SYSTEM_USD_PER_HOUR, automode_gpu_nodes
from bench.cost import main
from bench.monthly_cost import monthly_costs
from bench.prices import GP3_USD_PER_GIB_MONTH, ON_DEMAND_USD_PER_HOUR, SYSTEM_NODE_VOLUME_GIB
from bench.cost_comparison import SCENARIOS, compare, render_comparison
from settings import load_settings
from tests.test_cost import CENT, monthly

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.fixture(scope="module")
def scenarios():
    return {s.name: s for s in compare({}, {})}


def test_four_scenarios_in_one_table(scenarios):
    assert list(scenarios) == list(SCENARIOS) == ["default (1 GPU node always up)", "scale to zero", "scale to zero, spot GPUs",
                                                  "automode, scale to zero"]
    table = render_comparison(list(scenarios.values()))
    for name, scenario in scenarios.items():
        row = next(line for line in table.splitlines() if line.startswith(name + " "))
        assert f"{scenario.report.idle_total:,.2f}" in row and f"{scenario.report.full_total:,.2f}" in row


def test_the_idle_floor_of_scale_to_zero_line_by_line(scenarios):
    # The one system node left when the other is lost holds more pods than a t4g.small's 11 (README, "Idle floor").
    report = scenarios["scale to zero"].report
    assert scenarios["scale to zero"].system == "2 x t4g.medium"
    assert report.line("system_nodes").idle == pytest.approx(monthly(ON_DEMAND_USD_PER_HOUR["t4g.medium"], 2), abs=CENT)
    assert report.line("gpu_nodes").idle == 0
    assert report.line("volumes").idle == pytest.approx(2 * SYSTEM_NODE_VOLUME_GIB * GP3_USD_PER_GIB_MONTH, abs=CENT)
    # The floor is above $160: the README says so, with this very figure, line by line ("Idle floor").
    assert report.idle_total > 160
    floor = README.split("### Idle floor", 1)[1].split("\n## ", 1)[0]
    assert f"${report.idle_total:,.2f} a month" in floor
    assert re.search(rf"^total +\${report.idle_total:,.2f} ", floor, re.MULTILINE)


def test_auto_mode_bills_one_system_pool_node_and_its_fee(scenarios):
    report = scenarios["automode, scale to zero"].report
    system = monthly(AUTOMODE_SYSTEM_USD_PER_HOUR, 1)
    assert report.line("system_nodes").idle == pytest.approx(system, abs=CENT)
    assert report.line("gpu_nodes").idle_quantity == 0 and report.line("gpu_nodes").full_quantity == 3
    assert report.line("automode_fee").idle == pytest.approx(system * AUTOMODE_FEE_SHARE, abs=CENT)
    gpu_full = monthly(ON_DEMAND_USD_PER_HOUR["g4dn.xlarge"], 3)
    assert report.line("automode_fee").full == pytest.approx((system + gpu_full) * AUTOMODE_FEE_SHARE, abs=CENT)
    assert report.line("volumes").idle_quantity == 80 and report.line("volumes").full_quantity == 320


def test_auto_mode_gpu_nodes_follow_the_runner():
    assert automode_gpu_nodes(load_settings({"capacity": "automode"}, {})) == (1, 1)  # one runner, always
    assert automode_gpu_nodes(load_settings({"capacity": "automode", "queues": "sqs_a", "nodesMin": "0"}, {})) == (0, 3)


def test_spot_is_priced_at_its_on_demand_ceiling(scenarios):
    assert scenarios["scale to zero, spot GPUs"].report.full_total == scenarios["scale to zero"].report.full_total


def test_make_cost_without_settings_compares(capsys):
    assert main(["--compare"], environ={}) == 0
    out = capsys.readouterr().out
    assert "automode, scale to zero" in out and "scale to zero, spot GPUs" in out


def test_a_bad_setting_in_the_comparison_is_one_line(capsys):
    assert main(["--compare", "-c", "nodesMax=0"], environ={}) == 2
    assert capsys.readouterr().err == "error: nodesMax: 0 leaves no room for any GPU node. Give 1 or more.\n"


def test_automode_single_configuration_report():
    report = monthly_costs(load_settings({"capacity": "automode"}, {}))
    nodegroups = monthly_costs(load_settings({}, {}))
    keys = [line.key for line in report.lines]
    assert keys[:2] == ["control_plane", "system_nodes"] and keys[keys.index("gpu_nodes"):keys.index("volumes") + 1] == [
        "gpu_nodes", "automode_fee", "volumes"]
    # what is not a node is billed as with nodegroups, but for the GPU-count alarm, made with nodegroups only
    others = {line.key: line for line in nodegroups.lines if line.key not in ("system_nodes", "gpu_nodes", "volumes", "alarms")}
    assert {line.key: line for line in report.lines if line.key in others} == others
    alarms = {line.key: line for line in report.lines}["alarms"], {line.key: line for line in nodegroups.lines}["alarms"]
    assert (alarms[0].idle_quantity, alarms[1].idle_quantity) == (0, 2)
