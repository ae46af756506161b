"""`make cost`'s observability lines: prices stated, and the alarm counts equal to what the stack really creates."""
from __future__ import annotations

import pytest

from bench.monthly_cost import monthly_costs
from bench.observability_cost import ALARM_METRIC_USD_PER_MONTH, COMPOSITE_ALARM_USD_PER_MONTH, DASHBOARD_USD_PER_MONTH, alarm_metrics
from settings import load_settings
from tests.conftest import CONFIGURATIONS
from tests.synth import resources

pytestmark = pytest.mark.xdist_group("synth")


def metrics_read(template) -> tuple[int, int]:
    """(metrics read by the template's standard alarms, its composite alarms): what CloudWatch bills for."""
    count = 0
    for alarm in resources(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        count += 1 if "MetricName" in props else sum(1 for query in props["Metrics"] if "MetricStat" in query)
    return count, len(resources(template, "AWS::CloudWatch::CompositeAlarm"))


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_alarm_counts_match_the_template(synthesized, canary_home, name):
    settings = load_settings(CONFIGURATIONS[name], {"HOME": str(canary_home)})
    assert alarm_metrics(settings) == metrics_read(synthesized(name).template())


def test_lines_and_prices():
    report = monthly_costs(load_settings({"queues": "sqs_a", "createQueues": "true", "alarmEmail": "ops@example.com"}, {}))
    assert (report.line("dashboard").idle, report.line("dashboard").full) == (DASHBOARD_USD_PER_MONTH,) * 2
    alarms = report.line("alarms")
    assert alarms.item == "CloudWatch alarms: 6 alarm metrics, 1 composite"
    assert alarms.full == round(6 * ALARM_METRIC_USD_PER_MONTH + COMPOSITE_ALARM_USD_PER_MONTH, 2)
    assert report.line("alarm_topic_key").full == 1.00
    assert any("Container Insights bills per observation" in note for note in report.notes)
    assert any("list prices (aws.amazon.com/cloudwatch/pricing" in note for note in report.notes)


def test_without_container_insights_no_usage_note():
    report = monthly_costs(load_settings({"containerInsights": "false"}, {}))
    assert report.line("alarms").item == "CloudWatch alarms: 0 alarm metrics, 0 composite"
    assert not any("Container Insights" in note for note in report.notes)
    assert "alarm_topic_key" not in [line.key for line in report.lines]
