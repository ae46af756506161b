"""GPU health and observability in the synthesized cluster templates: add-ons, repair actions, dashboard, alarms, topic.

Sources, cited where each fact is used in the code under test:
- eks-node-monitoring-agent v1.7.0 chart values and configuration schema (github.com/aws/eks-node-monitoring-agent):
  `dcgmAgent.tolerations` defaults to [] (aws/containers-roadmap#2567), `nodeAgent.tolerations` to [{operator: Exists}].
- amazon-cloudwatch-observability chart 6.2.0 values (github.com/aws-observability/helm-charts): `tolerations`,
  `dcgmExporter.enabled`, `neuronMonitor.enabled`; Pod Identity for service account cloudwatch-agent in
  amazon-cloudwatch with CloudWatchAgentServerPolicy (CloudWatch user guide, "Quick start with the Amazon
  CloudWatch Observability EKS add-on").
- One DCGM per GPU: aws/containers-roadmap#2763 and #2555.
- NodeRepairConfigOverrides: CloudFormation AWS::EKS::Nodegroup NodeRepairConfigOverrides; RepairAction values
  Replace | Reboot | NoAction (EKS API reference); reasons from the agent's pkg/reasons/reasons.yaml (v1.7.0).
- Metric names and namespaces: SQS developer guide "Available CloudWatch metrics for Amazon SQS"; CloudWatch user
  guide "Amazon EKS and Kubernetes Container Insights with enhanced observability metrics".
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.synth import nodegroup, only, resources

pytestmark = pytest.mark.xdist_group("synth")

NMA, CW = "eks-node-monitoring-agent", "amazon-cloudwatch-observability"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def addon(template, name) -> dict[str, Any] | None:
    found = [r["Properties"] for r in resources(template, "AWS::EKS::Addon").values() if r["Properties"]["AddonName"] == name]
    assert len(found) <= 1
    return found[0] if found else None


def config(template, name) -> dict[str, Any]:
    values = addon(template, name).get("ConfigurationValues")
    return json.loads(values) if values else {}




def flatten(value: Any) -> str:
    """A template value as text: Fn::Join concatenated, other intrinsics as `<...>`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(flatten(part) for part in parts)
    return "<token>"


def dashboard(template) -> dict[str, Any]:
    return json.loads(flatten(only(template, "AWS::CloudWatch::Dashboard")["DashboardBody"]))


def metric_rows(body) -> list[list[Any]]:
    return [row for widget in body["widgets"] for row in widget.get("properties", {}).get("metrics", [])]


def metrics_of(body) -> set[tuple[str, str]]:
    """(namespace, metric name) of every metric a widget draws (CloudWatch's compact form repeats `.` for "same as above")."""
    found, previous = set(), []
    for row in metric_rows(body):
        names = [item for item in row if not isinstance(item, dict)]
        if not names or names[0].startswith(("(", "nodes")) or len(names) < 2:
            continue
        names = [previous[i] if name == "." and i < len(previous) else name for i, name in enumerate(names)]
        previous = names
        found.add((names[0], names[1]))
    return found


def single_metric(alarm) -> dict[str, Any]:
    """The metric of a one-metric alarm (a labelled metric is written as a one-element `Metrics` list)."""
    (query,) = alarm["Metrics"]
    stat = query["MetricStat"]
    return {**stat["Metric"], "Stat": stat["Stat"], "Period": stat["Period"]}


def alarms(template) -> dict[str, dict[str, Any]]:
    return {r["Properties"]["AlarmName"]: r["Properties"] for r in resources(template, "AWS::CloudWatch::Alarm").values()}


# --- 1. node health and auto repair -----------------------------------------------------------

def test_node_monitoring_agent_tolerates_the_gpu_taint_for_its_dcgm_server(default):
    assert addon(default, NMA)["AddonVersion"] == "v1.7.0-eksbuild.1"
    assert config(default, NMA) == {"dcgmAgent": {"tolerations": [GPU_TOLERATION]}}


def test_untainted_gpu_nodes_need_no_toleration(synthesized):
    # custom: systemNodes=0, so GPU nodes carry no taint; and nodeMonitoringAgent=false
    assert addon(synthesized("custom").template(), NMA) is None
    assert addon(synthesized("scale").template(), NMA)["AddonVersion"] == "v1.7.0-eksbuild.1"


def test_gpu_nodegroup_repairs_gpu_faults_by_replacing(default):
    repair = nodegroup(default, "test-eks")["NodeRepairConfig"]
    assert repair["Enabled"] is True
    overrides = {o["NodeUnhealthyReason"]: o for o in repair["NodeRepairConfigOverrides"]}
    assert {reason: o["RepairAction"] for reason, o in overrides.items()} == {
        "NvidiaXID79Error": "Replace", "NvidiaDeviceCountMismatch": "Replace", "NvidiaDoubleBitError": "Replace",
        "DCGMError": "NoAction"}
    for override in overrides.values():  # CloudFormation: each override must give all four values
        assert override["NodeMonitoringCondition"] == "AcceleratedHardwareReady"
        assert override["MinRepairWaitTimeMins"] == 10
    assert nodegroup(default, "test-eks-system")["NodeRepairConfig"] == {"Enabled": True}


def test_without_the_agent_no_gpu_repair_overrides(custom):
    assert nodegroup(custom, "gpus")["NodeRepairConfig"] == {"Enabled": True}


def test_verify_watches_the_accelerated_hardware_condition_where_the_agent_runs(default, custom, arm):
    assert default["Outputs"]["GpuHealthCondition"]["Value"] == "AcceleratedHardwareReady"
    assert custom["Outputs"]["GpuHealthCondition"]["Value"] == "none"  # no agent
    assert arm["Outputs"]["GpuHealthCondition"]["Value"] == "none"  # the agent skips NVIDIA checks on arm64


# --- 2. Container Insights ----------------------------------------------------------------------

def test_container_insights_leaves_dcgm_to_the_node_monitoring_agent(default):
    assert addon(default, CW)["AddonVersion"] == "v6.2.0-eksbuild.1"
    assert config(default, CW) == {"tolerations": [{"operator": "Exists"}], "dcgmExporter": {"enabled": False},
                                   "neuronMonitor": {"enabled": False}}


def test_without_the_agent_container_insights_owns_dcgm(custom):
    values = config(custom, CW)
    assert values["dcgmExporter"] == {"enabled": True}  # custom's GPU nodes are untainted: no toleration needed
    assert values["tolerations"] == [{"operator": "Exists"}]


def test_container_insights_can_be_turned_off(arm):
    assert addon(arm, CW) is None
    assert not [r for r in resources(arm, "AWS::EKS::PodIdentityAssociation").values()
                if r["Properties"]["Namespace"] == "amazon-cloudwatch"]


def test_container_insights_pod_identity(default):
    (association,) = [r["Properties"] for r in resources(default, "AWS::EKS::PodIdentityAssociation").values()
                      if r["Properties"]["Namespace"] == "amazon-cloudwatch"]
    assert association["ServiceAccount"] == "cloudwatch-agent"
    role = default["Resources"][association["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    policies = [flatten(arn) for arn in role["ManagedPolicyArns"]]
    assert policies == ["arn:<token>:iam::aws:policy/CloudWatchAgentServerPolicy"]


def test_container_insights_log_groups_expire(default):
    groups = {r["Properties"].get("LogGroupName"): r["Properties"].get("RetentionInDays") for r in resources(default, "AWS::Logs::LogGroup").values()
              if isinstance(r["Properties"].get("LogGroupName"), str)}
    for kind in ("performance", "application", "dataplane", "host"):
        assert groups[f"/aws/containerinsights/test-eks/{kind}"] == 30


# --- 3. the dashboard ---------------------------------------------------------------------------

def test_one_dashboard_with_queue_runner_and_gpu_metrics(scale):
    props = only(scale, "AWS::CloudWatch::Dashboard")
    assert props["DashboardName"] == "test-eks-gpu-fleet"
    body = dashboard(scale)
    drawn = metrics_of(body)
    for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"):
        assert ("AWS/SQS", metric) in drawn
    for metric in ("replicas_desired", "replicas_ready", "node_gpu_limit", "node_gpu_usage_total", "cluster_node_count"):
        assert ("ContainerInsights", metric) in drawn
    # amazon-contributing/opentelemetry-collector-contrib (aws-cwa-dev, 8e059f14), awscontainerinsightreceiver:
    # podstore.go Decorate/addPodStatusMetrics add pod_status_* only to metrics cAdvisor has for a pod with a container
    # left (container_info_processor.go processPod); k8sapiserver.go reports Pending pods only. A finished Job pod has
    # neither, so a graph of its succeeded/failed status would stay empty: the dashboard says where the result is.
    assert not {m for _, m in drawn} & {"pod_status_succeeded", "pod_status_failed"}
    notes = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert any("kubectl -n studioml get job gpu-smoke-test" in note for note in notes)
    titles = [w.get("properties", {}).get("title", "") for w in body["widgets"]]
    assert titles[0] == "Alarms"
    for queue in ("sqs_train", "sqs_eval"):
        assert f"{queue}: work waiting" in titles and f"dlq_{queue}: dead letters" in titles
    rows = json.dumps(metric_rows(body))
    assert '"QueueName", "dlq_sqs_train"' in rows
    assert '"PodName", "studioml-go-runner-deployment"' in rows


def test_gpu_utilization_graphs_only_where_container_insights_owns_dcgm(default, custom):
    assert ("ContainerInsights", "node_gpu_utilization") in metrics_of(dashboard(custom))
    assert ("ContainerInsights", "node_gpu_memory_utilization") in metrics_of(dashboard(custom))
    assert not {m for _, m in metrics_of(dashboard(default))} & {"node_gpu_utilization", "node_gpu_memory_utilization"}
    notes = [w["properties"]["markdown"] for w in dashboard(default)["widgets"] if w["type"] == "text"]
    assert any("one DCGM per GPU" in note for note in notes)


def test_widget_grid_is_24_columns(scale):
    for widget in dashboard(scale)["widgets"]:
        assert widget["x"] + widget["width"] <= 24


def test_dashboard_url_is_an_output(default):
    assert flatten(default["Outputs"]["DashboardUrl"]["Value"]) == (
        "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards/dashboard/test-eks-gpu-fleet")


# --- 4. alarms ----------------------------------------------------------------------------------

def test_dead_letter_and_stuck_work_alarms_per_queue(scale):
    found = alarms(scale)
    for queue in ("sqs_train", "sqs_eval"):
        dead = found[f"test-eks-dlq_{queue}-not-empty"]
        metric = single_metric(dead)
        assert (metric["Namespace"], metric["MetricName"], metric["Dimensions"], metric["Stat"]) == (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", [{"Name": "QueueName", "Value": f"dlq_{queue}"}], "Maximum")
        assert (dead["Threshold"], dead["ComparisonOperator"], dead["TreatMissingData"]) == (0, "GreaterThanThreshold", "notBreaching")
        stuck = found[f"test-eks-{queue}-oldest-message-age"]
        metric = single_metric(stuck)
        assert (metric["MetricName"], metric["Dimensions"], metric["Stat"]) == (
            "ApproximateAgeOfOldestMessage", [{"Name": "QueueName", "Value": queue}], "Maximum")
        assert stuck["Threshold"] == 30 * 60  # maxMessageAgeMinutes=30, in seconds


def test_gpu_nodes_without_gpus_alarm_sees_a_fleet_that_reports_none(scale):
    # node_gpu_limit is a node's nvidia.com/gpu capacity, sent only while it is not 0 (amazon-contributing/
    # opentelemetry-collector-contrib, receiver/awscontainerinsightreceiver/internal/stores/podstore.go decorateNode):
    # a node whose plugin never registered sends nothing, so FILL(gpus, 0) keeps the expression alive instead of silent.
    alarm = alarms(scale)["test-eks-gpu-nodes-without-gpus"]
    expressions = {m["Id"]: m for m in alarm["Metrics"]}
    (result,) = [m for m in alarm["Metrics"] if m.get("ReturnData", True)]
    assert result["Expression"] == "(gpuNodes * 1) - FILL(gpus, 0)"
    assert expressions["gpuNodes"]["Expression"] == "nodes - 2"  # scale has two system nodes
    assert expressions["nodes"]["MetricStat"]["Metric"]["MetricName"] == "cluster_node_count"
    assert expressions["gpus"]["MetricStat"]["Metric"]["MetricName"] == "node_gpu_limit"
    assert expressions["gpus"]["MetricStat"]["Stat"] == "Sum"
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (0, 15, 15)
    assert "capacity" in alarm["AlarmDescription"]


def test_auto_mode_has_no_gpu_node_count_from_all_nodes(automode_scale):
    # cluster_node_count counts every node (internal/k8sapiserver); Auto Mode's system and general-purpose pools are no
    # fixed count, so "all nodes less the system nodes" is not the GPU nodes there.
    assert "test-eks-gpu-nodes-without-gpus" not in alarms(automode_scale)
    full = alarms(automode_scale)["test-eks-gpu-fleet-at-nodes-max"]
    assert (single_metric(full)["MetricName"], single_metric(full)["Stat"]) == ("node_gpu_limit", "SampleCount")


def test_full_fleet_with_a_growing_queue_is_one_composite_alarm(scale):
    found = alarms(scale)
    full, growing = found["test-eks-gpu-fleet-at-nodes-max"], found["test-eks-queues-growing"]
    assert (full["Threshold"], full["ComparisonOperator"]) == (4, "GreaterThanOrEqualToThreshold")  # nodesMax=4
    # The GPU nodes that report GPUs: one node_gpu_limit sample per GPU node and minute.
    assert (single_metric(full)["MetricName"], single_metric(full)["Stat"]) == ("node_gpu_limit", "SampleCount")
    (growth,) = [m for m in growing["Metrics"] if m.get("ReturnData", True)]
    assert growth["Expression"] == "DIFF(q0 + q1)"
    composite = only(scale, "AWS::CloudWatch::CompositeAlarm")
    assert composite["AlarmName"] == "test-eks-full-fleet-growing-queue"
    rule = flatten(composite["AlarmRule"])
    assert rule.count("ALARM(") == 2


def test_no_queues_no_queue_alarms(default):
    assert set(alarms(default)) == {"test-eks-gpu-nodes-without-gpus"}
    assert resources(default, "AWS::CloudWatch::CompositeAlarm") == {}


def test_without_container_insights_only_queue_alarms(arm):
    assert alarms(arm) == {}


# --- alarm mail -----------------------------------------------------------------------------------

def test_alarm_email_subscribes_through_a_kms_encrypted_topic(custom, default):
    topic = only(custom, "AWS::SNS::Topic")
    key_id = topic["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = custom["Resources"][key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    statements = key["KeyPolicy"]["Statement"]
    assert any(s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and set(s["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
               for s in statements)
    subscription = only(custom, "AWS::SNS::Subscription")
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "gpu-ops@example.com")
    (alarm,) = alarms(custom).values()
    assert alarm["AlarmActions"] == [{"Ref": next(k for k, r in custom["Resources"].items() if r["Type"] == "AWS::SNS::Topic")}]
    assert resources(default, "AWS::SNS::Topic") == {}
    assert "AlarmTopicArn" in custom["Outputs"] and "AlarmTopicArn" not in default["Outputs"]


def test_make_status_may_read_queue_depths_only(scale):
    role_id = scale["Outputs"]["GpuVerifierRoleArn"]["Value"]["Fn::GetAtt"][0]
    statements = [s for policy in resources(scale, "AWS::IAM::Policy").values()
                  if {"Ref": role_id} in policy["Properties"].get("Roles", []) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    (sqs,) = [s for s in statements if s["Action"] == "sqs:GetQueueAttributes"]
    assert sorted(flatten(arn).split(":", 2)[2] for arn in sqs["Resource"]) == [
        "sqs:us-east-1:123456789012:sqs_eval", "sqs:us-east-1:123456789012:sqs_train"]
    assert flatten(scale["Outputs"]["RunnerQueueUrls"]["Value"]) == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/sqs_train,https://sqs.us-east-1.amazonaws.com/123456789012/sqs_eval")
