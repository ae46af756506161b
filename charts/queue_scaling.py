"""KEDA objects that scale the runner Deployment on the depth of its SQS queues.

KEDA's `aws-sqs-queue` scaler counts each queue's messages, visible plus in flight, and drives the
runner's replica count (0 when every queue is empty); cluster-autoscaler then adds or removes GPU
nodes to fit the replicas. The operator authenticates with its own EKS Pod Identity role
(`stacks/addons/keda`), so no credentials appear here.

What protects in-flight work on scale-in: the HPA lowers `replicas` and the ReplicaSet picks which
pod to delete; it does not know which runner is busy, so it may pick one mid-task. Counting
in-flight messages keeps replicas at the number of tasks being worked on, so scale-in happens only
as tasks finish; when it does hit a busy runner, the task is lost and its message reappears on the
queue within 30 s (see TERMINATION_GRACE_PERIOD_SECONDS in charts/runner.py), for another runner.

One trigger per queue and no scalingModifiers formula, so a broken queue does not stop the others
(kedacore/keda v2.20.2 pkg/scaling/scale_handler.go, getScaledObjectState): with a formula, any
trigger error resets the ScaledObject to inactive, so runners never wake from 0 for healthy queues,
and GetScaledObjectMetrics fails the one composite metric the HPA reads. Without one, a healthy
active trigger activates the ScaledObject despite a failing one, and each queue is its own HPA
metric; the HPA scales up on the metrics it can read (Kubernetes HPA docs, "Scaling on multiple
metrics"). The price: the HPA takes the largest queue's count, not the sum.
"""
from __future__ import annotations

from typing import Any, Sequence

import cdk8s
from constructs import Construct

from domain.warm_hours import WarmHours
from charts.object_names import SCALED_OBJECT_NAME

# The API of the ScaledObject and TriggerAuthentication written here: served by every KEDA 2.x release the add-on pins.
KEDA_API_VERSION = "keda.sh/v1alpha1"
TRIGGER_AUTHENTICATION_NAME = "studioml-go-runner-sqs"
LABELS: dict[str, str] = {"app": "studioml-go-runner"}

# How often KEDA reads the queues (GetQueueAttributes per queue). From zero, KEDA's poll is the first wait of the
# chain: `make latency` puts it at half the interval at p50, so 10 s instead of KEDA's default 30 s takes 10 s off
# every start. The price is 3 reads a minute more per queue (SQS bills them per million requests: cents a month).
POLLING_INTERVAL_SECONDS = 10
# How long every queue must stay empty before the last runner goes (KEDA's default 300 s). Its GPU node follows
# after cluster-autoscaler's scale-down-unneeded-time (or Auto Mode's consolidateAfter), so this plus that is the GPU
# time paid after each burst: `make latency` puts the tail at about 4.5 minutes with 120 s here and 2 minutes there
# (25 minutes with 900 s and 10 minutes). `make day` shows what the shorter tail costs in cold starts; warmHours keeps
# runners up when bursts are close together.
COOLDOWN_PERIOD_SECONDS = 120
# N -> M scale-in is the HPA's, not KEDA's cooldown: act on the highest count of the last 2 minutes and remove at
# most one runner per 2 minutes. In-flight messages count (scaleOnInFlight), so the count drops only as tasks end:
# a longer window only pays idle GPUs after a burst.
SCALE_DOWN_STABILIZATION_SECONDS = 120
SCALE_DOWN_PODS = 1
SCALE_DOWN_PERIOD_SECONDS = 120


class QueueScalingChart(cdk8s.Chart):
    """A TriggerAuthentication (the KEDA operator's own AWS identity) and the runner's ScaledObject."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        deployment_name: str,
        region: str,
        queue_urls: Sequence[str],
        min_replicas: int,
        max_replicas: int,
        messages_per_replica: int,
        warm_hours: WarmHours | None = None,
        warm_runners: int = 1,
    ) -> None:
        _check_arguments(deployment_name, region, queue_urls, min_replicas, max_replicas, messages_per_replica)
        if warm_hours is not None and not 1 <= warm_runners <= max_replicas:
            raise ValueError(f"warm_runners must be 1 to max_replicas ({max_replicas}), got {warm_runners}")
        super().__init__(scope, id, namespace=namespace)

        self.trigger_authentication = cdk8s.ApiObject(
            self,
            "TriggerAuthentication",
            api_version=KEDA_API_VERSION,
            kind="TriggerAuthentication",
            metadata=_metadata(TRIGGER_AUTHENTICATION_NAME),
        )
        # No roleArn and no identityOwner: the operator's own role (identityOwner defaults to keda).
        self.trigger_authentication.add_json_patch(cdk8s.JsonPatch.add("/spec", {"podIdentity": {"provider": "aws"}}))

        self.scaled_object = cdk8s.ApiObject(
            self,
            "ScaledObject",
            api_version=KEDA_API_VERSION,
            kind="ScaledObject",
            metadata=_metadata(SCALED_OBJECT_NAME),
        )
        spec = _scaled_object_spec(
            deployment_name, region, list(queue_urls), min_replicas, max_replicas, messages_per_replica
        )
        if warm_hours is not None:
            spec["triggers"].append(_warm_trigger(warm_hours, warm_runners))
        self.scaled_object.add_json_patch(cdk8s.JsonPatch.add("/spec", spec))


def _check_arguments(
    deployment_name: str,
    region: str,
    queue_urls: Sequence[str],
    min_replicas: int,
    max_replicas: int,
    messages_per_replica: int,
) -> None:
    if isinstance(queue_urls, str):  # a lone URL would be split into characters
        raise ValueError("queue_urls must be a sequence of queue URLs, not one string")
    if not queue_urls:
        raise ValueError("queue_urls must name at least one SQS queue")
    if any(not url for url in queue_urls):
        raise ValueError("queue_urls must not contain an empty URL")
    if len(set(queue_urls)) != len(queue_urls):
        raise ValueError("queue_urls must not repeat a queue")
    if not deployment_name:
        raise ValueError("deployment_name must name the Deployment to scale")
    if not region:
        raise ValueError("region must name the AWS region of the queues")
    if min_replicas < 0:
        raise ValueError(f"min_replicas must be 0 or more, got {min_replicas}")
    if max_replicas < 1:
        raise ValueError(f"max_replicas must be at least 1, got {max_replicas}")
    if min_replicas > max_replicas:
        raise ValueError(f"min_replicas ({min_replicas}) must not exceed max_replicas ({max_replicas})")
    if messages_per_replica < 1:
        raise ValueError(f"messages_per_replica must be at least 1, got {messages_per_replica}")


def _metadata(name: str) -> cdk8s.ApiObjectMetadata:
    return cdk8s.ApiObjectMetadata(name=name, labels=dict(LABELS))


def _trigger_name(index: int) -> str:
    # Names the queue in KEDA's events and metrics (keda_scaler_detail_errors_total, label scaler).
    return f"queue{index}"


def _scaled_object_spec(
    deployment_name: str,
    region: str,
    queue_urls: list[str],
    min_replicas: int,
    max_replicas: int,
    messages_per_replica: int,
) -> dict[str, Any]:
    advanced: dict[str, Any] = {
        "horizontalPodAutoscalerConfig": {
            "behavior": {
                "scaleDown": {
                    "stabilizationWindowSeconds": SCALE_DOWN_STABILIZATION_SECONDS,
                    "policies": [
                        {"type": "Pods", "value": SCALE_DOWN_PODS, "periodSeconds": SCALE_DOWN_PERIOD_SECONDS}
                    ],
                }
            }
        }
    }
    # No scalingModifiers: a formula ties every queue to the health of all of them (module docstring).
    return {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment_name},
        "pollingInterval": POLLING_INTERVAL_SECONDS,
        "cooldownPeriod": COOLDOWN_PERIOD_SECONDS,
        "minReplicaCount": min_replicas,
        "maxReplicaCount": max_replicas,
        "advanced": advanced,
        "triggers": [_trigger(i, url, region, messages_per_replica) for i, url in enumerate(queue_urls)],
    }


def _trigger(index: int, queue_url: str, region: str, messages_per_replica: int) -> dict[str, Any]:
    return {
        "type": "aws-sqs-queue",
        "name": _trigger_name(index),
        "authenticationRef": {"name": TRIGGER_AUTHENTICATION_NAME},
        # Trigger metadata values are strings in the CRD.
        "metadata": {
            "queueURL": queue_url,
            "awsRegion": region,
            # Target messages per runner: one task per GPU, so usually 1.
            "queueLength": str(messages_per_replica),
            # Any message at all wakes the runners from 0.
            "activationQueueLength": "0",
            # Explicit (it is the default): a runner keeps its message invisible while it works,
            # so counting in-flight messages is what stops scale-in from removing busy runners.
            "scaleOnInFlight": "true",
        },
    }


WARM_TRIGGER_NAME = "warm-hours"


def _warm_trigger(warm_hours: WarmHours, runners: int) -> dict[str, Any]:
    """KEDA's cron scaler (kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go: timezone, start, end, desiredReplicas):
    `runners` replicas from start to end. Without scalingModifiers the HPA takes the largest of it and the queues'."""
    return {
        "type": "cron",
        "name": WARM_TRIGGER_NAME,
        "metadata": {
            "timezone": warm_hours.zone,
            "start": warm_hours.cron_start,
            "end": warm_hours.cron_end,
            "desiredReplicas": str(runners),
        },
    }
