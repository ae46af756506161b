"""`make cost` (bench/cost.py, monthly_cost.py, prices.py): every figure derived from the price constants, the scaling cases, and the error paths."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.observability_cost import ALARM_METRIC_USD_PER_MONTH, DASHBOARD_USD_PER_MONTH
from bench.cost import main
from bench.monthly_cost import monthly_costs
from bench.prices import (EKS_CONTROL_PLANE_USD_PER_HOUR, GP3_USD_PER_GIB_MONTH, HOURS_PER_MONTH, KMS_KEY_USD_PER_MONTH,
                          NAT_GATEWAY_USD_PER_HOUR, ON_DEMAND_USD_PER_HOUR, PRICE_REGION, PRICES_AS_OF, PUBLIC_IPV4_USD_PER_HOUR,
                          SYSTEM_NODE_VOLUME_GIB, UNPRICED_GPU_TYPES, CostReport)
from domain.instance_types import GPU_INSTANCE_TYPES
from domain.system_nodes import SYSTEM_NODE_TYPES
from settings import SettingError, load_settings

ROOT = Path(__file__).resolve().parent.parent
CENT = 0.005  # every amount is rounded to cents


def costs(**context: str) -> CostReport:
    return monthly_costs(load_settings(context, {}))


def monthly(usd_per_hour: float, count: int) -> float:
    return usd_per_hour * count * HOURS_PER_MONTH


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv, environ={})
    out, err = capsys.readouterr()
    return code, out, err


# --- the default configuration: 1 NAT gateway, 2 t4g.medium system nodes, g4dn.xlarge GPU nodes 1..3 ---------------

@pytest.fixture(scope="module")
def default() -> CostReport:
    return costs()


def test_default_lines_come_from_the_price_table(default: CostReport):
    gpu, system = ON_DEMAND_USD_PER_HOUR["g4dn.xlarge"], ON_DEMAND_USD_PER_HOUR["t4g.medium"]
    expected = {  # key: (idle, full) in USD per month
        "control_plane": (monthly(EKS_CONTROL_PLANE_USD_PER_HOUR, 1),) * 2,
        "system_nodes": (monthly(system, 2),) * 2,
        "nat_gateways": (monthly(NAT_GATEWAY_USD_PER_HOUR, 1),) * 2,
        "nat_public_ipv4": (monthly(PUBLIC_IPV4_USD_PER_HOUR, 1),) * 2,
        "gpu_nodes": (monthly(gpu, 1), monthly(gpu, 3)),
        "volumes": ((1 * 100 + 2 * SYSTEM_NODE_VOLUME_GIB) * GP3_USD_PER_GIB_MONTH,
                    (3 * 100 + 2 * SYSTEM_NODE_VOLUME_GIB) * GP3_USD_PER_GIB_MONTH),
        "kms_key": (3 * KMS_KEY_USD_PER_MONTH,) * 2,  # Kubernetes secrets, cluster logs, Lambda logs
        "dashboard": (DASHBOARD_USD_PER_MONTH,) * 2,
        "alarms": ((2 * ALARM_METRIC_USD_PER_MONTH),) * 2,  # GPUs missing: GPU nodes and allocatable GPUs
    }
    assert [line.key for line in default.lines] == list(expected)
    for key, (idle, full) in expected.items():
        line = default.line(key)
        assert (line.idle, line.full) == (pytest.approx(idle, abs=CENT), pytest.approx(full, abs=CENT)), key
    assert default.idle_total == pytest.approx(sum(idle for idle, _ in expected.values()), abs=len(expected) * CENT)
    assert default.full_total == pytest.approx(sum(full for _, full in expected.values()), abs=len(expected) * CENT)


def test_default_quantities(default: CostReport):
    gpu, volumes = default.line("gpu_nodes"), default.line("volumes")
    assert (gpu.item, gpu.idle_quantity, gpu.full_quantity) == ("GPU nodes, g4dn.xlarge", 1, 3)
    assert (volumes.unit, volumes.idle_quantity, volumes.full_quantity) == ("GiB", 160, 360)
    assert default.line("system_nodes").item == "system nodes, t4g.medium"


def test_totals_are_the_sum_of_the_lines(default: CostReport):
    assert default.idle_total == round(sum(line.idle for line in default.lines), 2)
    assert default.full_total == round(sum(line.full for line in default.lines), 2)
    assert default.full_total > default.idle_total


def test_default_notes_name_nat_data_processing_only(default: CostReport):
    assert any("per GB of data processed" in note for note in default.notes)
    assert not any("SPOT" in note or "cheapest" in note or "Autoscaling is off" in note for note in default.notes)


def test_printed_report_has_header_columns_and_totals(default: CostReport, capsys):
    code, out, err = run([], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert PRICE_REGION in lines[0] and PRICES_AS_OF in lines[0] and f"{HOURS_PER_MONTH} h" in lines[0]
    assert "idle" in out and "full scale" in out
    total = next(line for line in lines if line.startswith("total"))
    assert f"${default.idle_total:,.2f}" in total and f"${default.full_total:,.2f}" in total
    assert any(line.startswith("* ") and "per GB" in line for line in lines)


def test_the_script_runs_from_the_command_line():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "cost.py"), "-c", "nodes=2"], capture_output=True,
                          text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "GPU nodes, g4dn.xlarge" in done.stdout and "2 x" in done.stdout


# --- scaling --------------------------------------------------------------------------------------------------------

def test_scale_to_zero_idle_has_no_gpu_cost():
    report = costs(nodesMin="0", nodes="0")
    gpu, volumes = report.line("gpu_nodes"), report.line("volumes")
    assert (gpu.idle_quantity, gpu.idle) == (0, 0)
    assert gpu.full == pytest.approx(monthly(ON_DEMAND_USD_PER_HOUR["g4dn.xlarge"], 3), abs=CENT)
    assert volumes.idle == pytest.approx(2 * SYSTEM_NODE_VOLUME_GIB * GP3_USD_PER_GIB_MONTH, abs=CENT)  # system disks only
    assert report.idle_total == pytest.approx(costs().idle_total - costs().line("gpu_nodes").idle
                                              - 100 * GP3_USD_PER_GIB_MONTH, abs=3 * CENT)


def test_autoscaling_off_keeps_nodes_at_full_scale():
    report = costs(autoscaling="false", nodesMin="1", nodes="2", nodesMax="4")
    gpu = report.line("gpu_nodes")
    assert (gpu.idle_quantity, gpu.full_quantity) == (2, 2)
    assert gpu.idle == gpu.full == pytest.approx(monthly(ON_DEMAND_USD_PER_HOUR["g4dn.xlarge"], 2), abs=CENT)
    assert report.idle_total == report.full_total
    assert any("Autoscaling is off" in note and "nodes=2" in note for note in report.notes)


def test_autoscaling_scales_between_nodes_min_and_max_not_nodes():
    gpu = costs(nodesMin="1", nodes="2", nodesMax="5").line("gpu_nodes")
    assert (gpu.idle_quantity, gpu.full_quantity) == (1, 5)


def test_several_node_types_are_priced_at_the_cheapest():
    report = costs(nodeType="g5.xlarge,g6.xlarge")
    cheapest = min(("g5.xlarge", "g6.xlarge"), key=ON_DEMAND_USD_PER_HOUR.__getitem__)
    gpu = report.line("gpu_nodes")
    assert gpu.item == f"GPU nodes, {cheapest}"
    assert gpu.full == pytest.approx(monthly(ON_DEMAND_USD_PER_HOUR[cheapest], 3), abs=CENT)
    assert any("cheapest" in note and cheapest in note for note in report.notes)


def test_spot_is_priced_on_demand_with_a_note():
    report = costs(capacityType="SPOT")
    assert report.line("gpu_nodes").idle == costs().line("gpu_nodes").idle
    assert any("SPOT" in note and "varies" in note for note in report.notes)


def test_two_nat_gateways_and_more_system_nodes():
    report = costs(natGateways="2", systemNodes="3", systemNodeType="m7g.large")
    assert report.line("nat_gateways").idle == pytest.approx(monthly(NAT_GATEWAY_USD_PER_HOUR, 2), abs=CENT)
    assert report.line("nat_public_ipv4").idle == pytest.approx(monthly(PUBLIC_IPV4_USD_PER_HOUR, 2), abs=CENT)
    assert report.line("system_nodes").idle == pytest.approx(monthly(ON_DEMAND_USD_PER_HOUR["m7g.large"], 3), abs=CENT)


def test_no_system_nodes_needs_no_system_price():
    report = costs(systemNodes="0", autoscaling="false")
    assert "system_nodes" not in [line.key for line in report.lines]
    assert report.line("volumes").idle == pytest.approx(100 * GP3_USD_PER_GIB_MONTH, abs=CENT)


def test_another_region_is_flagged():
    assert any("eu-west-1" in note and PRICE_REGION in note for note in costs(region="eu-west-1").notes)


# --- the price table ------------------------------------------------------------------------------------------------

def test_table_prices_every_gpu_type_but_the_named_exceptions():
    assert set(GPU_INSTANCE_TYPES) - set(ON_DEMAND_USD_PER_HOUR) == set(UNPRICED_GPU_TYPES)


def test_table_has_the_common_system_types():
    common = {"t3.medium", "t3.large", "t3.xlarge", "t3a.medium", "t3a.large", "t3a.xlarge", "m5.large", "m6i.large",
              "m7i.large", "m6g.large", "m7g.large", "c6i.large"}
    assert common <= set(ON_DEMAND_USD_PER_HOUR)
    assert all(price > 0 for price in ON_DEMAND_USD_PER_HOUR.values())


def test_system_volume_matches_the_stack():
    from stacks.capacity.nodegroups import SYSTEM_VOLUME_GIB
    assert SYSTEM_NODE_VOLUME_GIB == SYSTEM_VOLUME_GIB


# --- errors: one line on stderr, exit 2 -----------------------------------------------------------------------------

def test_every_system_node_type_settings_accept_is_priced():
    # settings accept only the system node types domain/system_nodes.py knows (settings/capacity.py)
    assert [name for name in SYSTEM_NODE_TYPES if name not in ON_DEMAND_USD_PER_HOUR] == []


@pytest.mark.parametrize("setting, value", [("nodeType", UNPRICED_GPU_TYPES[0])])
def test_missing_price_is_one_line_and_exit_2(setting, value, capsys):
    code, out, err = run(["-c", f"{setting}={value}"], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith(f"error: {setting}: {value} ")
    assert "ON_DEMAND_USD_PER_HOUR" in err


def test_missing_price_for_any_listed_node_type(capsys):
    code, _, err = run(["-c", f"nodeType=p5.48xlarge,{UNPRICED_GPU_TYPES[0]}"], capsys)
    assert code == 2 and UNPRICED_GPU_TYPES[0] in err


@pytest.mark.parametrize("context", [{"nodes": "lots"}, {"nodez": "2"}, {"nodesMin": "4"}])
def test_bad_setting_prints_the_setting_error_line(context, capsys):
    with pytest.raises(SettingError) as raised:
        load_settings(context, {})
    code, out, err = run([arg for key, value in context.items() for arg in ("-c", f"{key}={value}")], capsys)
    assert (code, out, err) == (2, "", raised.value.line + "\n")


def test_malformed_context_argument_is_one_line(capsys):
    code, out, err = run(["-c", "nodes"], capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("error: -c nodes:")


def test_fast_image_pull_pays_gp3_throughput_above_the_free_125_mibps():
    # nodeadm's docs ask 600 MiB/s (amazon-eks-ami v20260724 nodeadm/doc/examples.md); EBS pricing, gp3: $0.040 per
    # provisioned MiB/s-month over 125. One GPU node idle (nodesMin=1), three at full scale.
    line = costs(fastImagePull="true").line("volume_throughput")
    assert (line.idle_quantity, line.full_quantity) == (1, 3)
    assert (line.idle, line.full) == (pytest.approx((600 - 125) * 0.040), pytest.approx(3 * (600 - 125) * 0.040))
    assert "volume_throughput" not in {line.key for line in costs().lines}
