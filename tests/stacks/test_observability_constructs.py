"""The repair overrides, the alarms and the dashboard on their own (bare stacks, no cluster): the cases the app's
configurations do not reach. Facts are cited in stacks/node_repair.py and stacks/observability/*.py."""
from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk.assertions import Template

from stacks.node_repair import GPU_REPAIR_ACTIONS, gpu_repair_overrides
from stacks.observability.alarms import FleetShape, OperationsAlarms
from stacks.observability.dashboard import OperationsDashboard, dashboard_url


def bare_stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Bare", env=cdk.Environment(account="123456789012", region="us-west-2"))


def test_repair_overrides_are_complete():
    for override in gpu_repair_overrides():  # CloudFormation: each override must give all four values
        assert set(override) == {"NodeMonitoringCondition", "NodeUnhealthyReason", "RepairAction", "MinRepairWaitTimeMins"}
        assert override["RepairAction"] in ("Replace", "Reboot", "NoAction")  # EKS API: the only valid values
    assert GPU_REPAIR_ACTIONS["DCGMError"] == "NoAction"


def test_alarms_without_container_insights_watch_only_the_queues():
    stack = bare_stack()
    alarms = OperationsAlarms(stack, "Alarms", cluster_name="lab", queues=["sqs_a"], dead_letter_queues={}, max_message_age=cdk.Duration.hours(2),
                              fleet=None, alarm_email=None)
    assert [a.node.id for a in alarms.alarms] == ["sqs_aStuck"]
    Template.from_stack(stack).has_resource_properties("AWS::CloudWatch::Alarm", {"Threshold": 7200})


def test_fleet_alarms_without_queues_have_no_composite():
    stack = bare_stack()
    OperationsAlarms(stack, "Alarms", cluster_name="lab", queues=[], dead_letter_queues={}, max_message_age=cdk.Duration.hours(1),
                     fleet=FleetShape(system_nodes=0, nodes_max=3, gpus_per_node=4), alarm_email=None)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::CloudWatch::CompositeAlarm", 0)
    (alarm,) = template.find_resources("AWS::CloudWatch::Alarm").values()
    expressions = {m["Id"]: m.get("Expression") for m in alarm["Properties"]["Metrics"]}
    assert expressions["gpuNodes"] == "nodes - 0" and "(gpuNodes * 4) - FILL(gpus, 0)" in expressions.values()


def test_alarm_topic_mails_alarm_and_recovery():
    stack = bare_stack()
    alarms = OperationsAlarms(stack, "Alarms", cluster_name="lab", queues=["sqs_a"], dead_letter_queues={"sqs_a": "dlq_sqs_a"},
                              max_message_age=cdk.Duration.hours(1), fleet=None, alarm_email="ops@example.com")
    template = Template.from_stack(stack).to_json()
    topic_ref = {"Ref": stack.get_logical_id(alarms.topic.node.default_child)}
    found = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert len(found) == 2
    for alarm in found:
        assert alarm["AlarmActions"] == [topic_ref] and alarm["OKActions"] == [topic_ref]


def test_dashboard_without_container_insights_says_why():
    stack = bare_stack()
    OperationsDashboard(stack, "Dash", cluster_name="lab", queues=["sqs_a"], dead_letter_queues={}, namespace="default",
                        deployment="d", smoke_test_job="gpu-smoke-test", container_insights=False,
                        gpu_utilization=False, alarms=[])
    resources = Template.from_stack(stack).to_json()["Resources"]
    (dashboard,) = [r for r in resources.values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    text = json.dumps(dashboard["Properties"]["DashboardBody"])
    assert "ContainerInsights" not in text and "containerInsights=true" in text and "ApproximateAgeOfOldestMessage" in text


def test_dashboard_url_in_china():
    assert dashboard_url("cn-north-1", "x") == "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards/dashboard/x"
