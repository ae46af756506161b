"""Alarms that mean a person must act, and the encrypted SNS topic that mails them (with `alarmEmail`).

Missing data never alarms: a queue nobody sends to and a cluster scaled to zero report nothing. Where missing data is the
fault itself (GPU nodes whose GPUs send nothing), the expression fills it with 0 from the series that does report.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from aws_cdk import Duration, RemovalPolicy, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_iam as iam, \
    aws_kms as kms, aws_sns as sns, aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.observability.metrics import (NODE_PERIOD, OLDEST_MESSAGE_AGE, VISIBLE_MESSAGES, gpu_capacity, gpu_node_count,
                                          nodes_reporting_gpus, queue_metric)

# A node needs a few minutes to join and for the device plugin to advertise its GPUs; a fault lasts.
GPU_NODE_GRACE = 15  # one-minute periods
# The queue must keep growing this many five-minute periods while the fleet is full.
QUEUE_GROWTH_PERIODS = 3


@dataclass(frozen=True)
class FleetShape:
    """What the alarms on Container Insights need to know of the GPU fleet. `system_nodes`: the fixed count of non-GPU
    nodes (managed nodegroups), None where it varies (Auto Mode's system and general-purpose pools)."""
    system_nodes: int | None
    nodes_max: int
    gpus_per_node: int


class OperationsAlarms(Construct):
    """Dead letters, stuck work, a full fleet with a growing queue, GPU nodes whose GPUs never registered."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str, queues: Sequence[str],
                 dead_letter_queues: Mapping[str, str], max_message_age: Duration, fleet: FleetShape | None,
                 alarm_email: str | None) -> None:
        """`dead_letter_queues`: queue -> its dead-letter queue's name (the ones this stack creates);
        `fleet`: None without Container Insights, which the fleet alarms read."""
        super().__init__(scope, id)
        self.topic = self._topic(cluster_name, alarm_email) if alarm_email else None
        self.alarms: list[cloudwatch.AlarmBase] = []
        for queue, dead_letters in dead_letter_queues.items():
            self._add(cloudwatch.Alarm(
                self, f"{queue}DeadLetters", alarm_name=f"{cluster_name}-{dead_letters}-not-empty",
                alarm_description=f"Requests from {queue} failed 5 times and wait in {dead_letters}: look at them, fix, re-send or delete",
                metric=queue_metric(dead_letters, VISIBLE_MESSAGES, "dead letters"), threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING))
        for queue in queues:
            self._add(cloudwatch.Alarm(
                self, f"{queue}Stuck", alarm_name=f"{cluster_name}-{queue}-oldest-message-age",
                alarm_description=f"The oldest request in {queue} waits longer than {max_message_age.to_minutes()} minutes "
                                  "(maxMessageAgeMinutes): runners are not taking work. make status",
                metric=queue_metric(queue, OLDEST_MESSAGE_AGE, "oldest message (s)"), threshold=max_message_age.to_seconds(),
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING))
        if fleet is not None:
            self._fleet_alarms(cluster_name, queues, fleet)

    def _fleet_alarms(self, cluster_name: str, queues: Sequence[str], fleet: FleetShape) -> None:
        if fleet.system_nodes is not None:
            # GPU nodes counted from all nodes less the fixed system nodes, against the GPU capacity they report: a node
            # whose device plugin never registered its GPUs sends no node_gpu_limit, so FILL counts it as 0 instead of the
            # expression going silent. A GPU failing on a running node lowers allocatable only, which Container Insights
            # does not report: the node monitoring agent's AcceleratedHardwareReady and node auto repair act on that.
            self._add(cloudwatch.Alarm(
                self, "GpuNodesWithoutGpus", alarm_name=f"{cluster_name}-gpu-nodes-without-gpus",
                alarm_description=f"GPU nodes are up but report fewer than {fleet.gpus_per_node} nvidia.com/gpu each in their "
                                  "capacity: the device plugin is not running there or found no GPU. make verify",
                metric=cloudwatch.MathExpression(
                    expression=f"(gpuNodes * {fleet.gpus_per_node}) - FILL(gpus, 0)", label="GPUs missing", period=NODE_PERIOD,
                    using_metrics={"gpuNodes": gpu_node_count(cluster_name, fleet.system_nodes), "gpus": gpu_capacity(cluster_name)}),
                threshold=0, comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=GPU_NODE_GRACE, datapoints_to_alarm=GPU_NODE_GRACE,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING))
        if not queues:
            return
        full = cloudwatch.Alarm(
            self, "FleetFull", alarm_name=f"{cluster_name}-gpu-fleet-at-nodes-max",
            alarm_description=f"All nodesMax={fleet.nodes_max} GPU nodes are up and report their GPUs",
            metric=nodes_reporting_gpus(cluster_name),
            threshold=fleet.nodes_max,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=GPU_NODE_GRACE, datapoints_to_alarm=GPU_NODE_GRACE,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
        visible = {f"q{index}": queue_metric(queue, VISIBLE_MESSAGES, queue) for index, queue in enumerate(queues)}
        growing = cloudwatch.Alarm(
            self, "QueueGrowing", alarm_name=f"{cluster_name}-queues-growing",
            alarm_description="The runner queues hold more visible messages every five minutes",
            metric=cloudwatch.MathExpression(expression=f"DIFF({' + '.join(visible)})", label="growth of visible messages",
                                             using_metrics=visible, period=Duration.minutes(5)),
            threshold=0, comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=QUEUE_GROWTH_PERIODS, datapoints_to_alarm=QUEUE_GROWTH_PERIODS,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)
        self.alarms += [full, growing]  # shown on the dashboard; only their combination calls a person
        self._add(cloudwatch.CompositeAlarm(
            self, "FleetFullQueueGrowing", composite_alarm_name=f"{cluster_name}-full-fleet-growing-queue",
            alarm_description=f"The queues keep growing while all nodesMax={fleet.nodes_max} GPU nodes run: "
                              "raise nodesMax (or runnerMaxReplicas), or the work waits",
            alarm_rule=cloudwatch.AlarmRule.all_of(full, growing)))

    def _add(self, alarm: cloudwatch.AlarmBase) -> None:
        if self.topic is not None:
            alarm.add_alarm_action(actions.SnsAction(self.topic))
            alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def _topic(self, cluster_name: str, email: str) -> sns.Topic:
        key = kms.Key(self, "TopicKey", description=f"Encrypts the alarm topic of EKS cluster {cluster_name}", enable_key_rotation=True,
                      removal_policy=RemovalPolicy.DESTROY)
        # CloudWatch publishes the alarms into the encrypted topic, so it must use the key (an AWS managed key cannot allow it).
        key.add_to_resource_policy(iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey*"], principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            resources=["*"]))
        topic = sns.Topic(self, "Topic", display_name=f"{cluster_name} alarms", master_key=key, enforce_ssl=True)
        topic.add_subscription(subscriptions.EmailSubscription(email))
        return topic
