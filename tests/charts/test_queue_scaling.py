"""QueueScalingChart: KEDA TriggerAuthentication + ScaledObject scaling the runner on SQS depth."""
from __future__ import annotations

import re

import cdk8s
import pytest

from charts.queue_scaling import (
    SCALED_OBJECT_NAME,
    TRIGGER_AUTHENTICATION_NAME,
    QueueScalingChart,
)
from domain.warm_hours import parse_warm_hours
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import Manifest, find, names, validate_strict

KUBERNETES_VERSIONS = SUPPORTED_KUBERNETES_VERSIONS
NAMESPACE = "studioml"
DEPLOYMENT = "studioml-go-runner-deployment"
REGION = "eu-central-1"
QUEUE_A = "https://sqs.eu-central-1.amazonaws.com/123456789012/sqs_gpu_a"
QUEUE_B = "https://sqs.eu-central-1.amazonaws.com/123456789012/sqs_gpu_b"
ARGS: dict = {
    "namespace": NAMESPACE,
    "deployment_name": DEPLOYMENT,
    "region": REGION,
    "min_replicas": 0,
    "max_replicas": 4,
    "messages_per_replica": 1,
}


def synth(**overrides: object) -> tuple[QueueScalingChart, list[Manifest]]:
    chart = QueueScalingChart(cdk8s.Testing.app(), "scaling", **{**ARGS, **overrides})
    return chart, [dict(o) for o in cdk8s.Testing.synth(chart)]


@pytest.fixture(scope="module")
def one_queue() -> tuple[QueueScalingChart, list[Manifest]]:
    return synth(queue_urls=[QUEUE_A])


@pytest.fixture(scope="module")
def two_queues() -> tuple[QueueScalingChart, list[Manifest]]:
    return synth(queue_urls=[QUEUE_A, QUEUE_B], min_replicas=1, max_replicas=6, messages_per_replica=2)


def spec_of(objects: list[Manifest]) -> dict:
    return find(objects, "ScaledObject", SCALED_OBJECT_NAME)["spec"]


def test_renders_the_two_keda_objects(one_queue) -> None:
    _, objects = one_queue
    assert sorted(names(objects)) == [
        f"ScaledObject/{SCALED_OBJECT_NAME}",
        f"TriggerAuthentication/{TRIGGER_AUTHENTICATION_NAME}",
    ]
    for obj in objects:
        assert obj["apiVersion"] == "keda.sh/v1alpha1"
        assert obj["metadata"]["namespace"] == NAMESPACE
        assert obj["metadata"]["labels"] == {"app": "studioml-go-runner"}


def test_attributes_are_the_objects(one_queue) -> None:
    chart, _ = one_queue
    authentication = chart.trigger_authentication
    assert (authentication.kind, authentication.name) == ("TriggerAuthentication", TRIGGER_AUTHENTICATION_NAME)
    assert (chart.scaled_object.kind, chart.scaled_object.name) == ("ScaledObject", SCALED_OBJECT_NAME)


def test_trigger_authentication_uses_the_operators_own_aws_identity(one_queue) -> None:
    _, objects = one_queue
    # No roleArn, identityOwner or secrets: the operator's EKS Pod Identity role.
    spec = find(objects, "TriggerAuthentication", TRIGGER_AUTHENTICATION_NAME)["spec"]
    assert spec == {"podIdentity": {"provider": "aws"}}


def test_scaled_object_targets_the_runner_deployment_within_bounds(one_queue) -> None:
    spec = spec_of(one_queue[1])
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": DEPLOYMENT}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (0, 4)


def test_timings_chosen_from_the_latency_model(one_queue) -> None:
    spec = spec_of(one_queue[1])
    # KEDA's defaults (v2.20.2: pollingInterval 30, cooldownPeriod 300) shortened: 10 s takes 10 s off every start at
    # p50, and 120 s of cooldown with 2m of scale-down-unneeded-time keeps the idle tail under 5 minutes (make latency).
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (10, 120)
    scale_down = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
    assert scale_down["stabilizationWindowSeconds"] == 120
    (policy,) = scale_down["policies"]
    assert policy == {"type": "Pods", "value": 1, "periodSeconds": 120}


def test_no_warm_hours_no_cron_trigger(one_queue) -> None:
    assert [t["type"] for t in spec_of(one_queue[1])["triggers"]] == ["aws-sqs-queue"]


def test_warm_hours_add_a_cron_trigger_keda_reads() -> None:
    # kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go: metadata timezone, start, end, desiredReplicas (strings);
    # start and end are five-field cron expressions (robfig/cron, Sunday = 0).
    _, manifests = synth(queue_urls=[QUEUE_A], warm_hours=parse_warm_hours("Mon-Fri 08:00-18:00 Europe/Berlin"),
                         warm_runners=2)
    triggers = {t["name"]: t for t in spec_of(manifests)["triggers"]}
    assert triggers["warm-hours"] == {"type": "cron", "name": "warm-hours", "metadata": {
        "timezone": "Europe/Berlin", "start": "0 8 * * 1,2,3,4,5", "end": "0 18 * * 1,2,3,4,5", "desiredReplicas": "2"}}
    assert triggers["queue0"]["type"] == "aws-sqs-queue"
    validate_strict(manifests, KUBERNETES_VERSIONS[-1])


def test_warm_runners_must_fit_max_replicas() -> None:
    with pytest.raises(ValueError, match=r"warm_runners must be 1 to max_replicas \(4\), got 5"):
        synth(queue_urls=[QUEUE_A], warm_hours=parse_warm_hours("Mon 08:00-09:00 UTC"), warm_runners=5)


def test_one_sqs_trigger_with_the_target_per_replica(one_queue) -> None:
    (trigger,) = spec_of(one_queue[1])["triggers"]
    assert trigger["type"] == "aws-sqs-queue"
    assert trigger["authenticationRef"] == {"name": TRIGGER_AUTHENTICATION_NAME}
    assert trigger["metadata"] == {
        "queueURL": QUEUE_A,
        "awsRegion": REGION,
        "queueLength": "1",
        "activationQueueLength": "0",
        "scaleOnInFlight": "true",
    }
    # One queue: the HPA's own metric is enough, no composite formula.
    assert "scalingModifiers" not in spec_of(one_queue[1])["advanced"]


def test_one_trigger_per_queue_and_no_formula_so_a_broken_queue_blocks_none(two_queues) -> None:
    # kedacore/keda v2.20.2 pkg/scaling/scale_handler.go, getScaledObjectState: when the ScaledObject
    # uses scalingModifiers, "we need to reset the activity even if there is an error", so one failing
    # trigger leaves it inactive and runners never wake from 0 for the healthy queues; and
    # GetScaledObjectMetrics returns an error for the composite metric when any scaler errs. Without a
    # formula a healthy active trigger sets isScaledObjectActive, and each queue is its own HPA metric
    # (Kubernetes docs, Horizontal Pod Autoscaling, "Algorithm details": it still scales up on the
    # metrics it can read). So: one trigger per queue, each with its own target, and no formula.
    spec = spec_of(two_queues[1])
    triggers = spec["triggers"]
    assert [t["metadata"]["queueURL"] for t in triggers] == [QUEUE_A, QUEUE_B]
    assert {t["metadata"]["queueLength"] for t in triggers} == {"2"}
    assert {t["metadata"]["activationQueueLength"] for t in triggers} == {"0"}
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 6)
    assert "scalingModifiers" not in spec["advanced"]
    trigger_names = [t["name"] for t in triggers]
    assert len(set(trigger_names)) == 2
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in trigger_names)
    # No fallback either: with one (kedacore/keda v2.20.2 pkg/scaling/executor/scale_scaledobjects.go)
    # an error with no active trigger would set replicas to fallback.replicas instead of keeping them.
    assert "fallback" not in spec


def test_crd_required_fields_inside_lists(one_queue, two_queues) -> None:
    # tests/crd_fields.py cannot reach into lists or optional blocks; the CRD requires these.
    for _, objects in (one_queue, two_queues):
        spec = spec_of(objects)
        for trigger in spec["triggers"]:
            assert trigger["type"] and trigger["metadata"] and trigger["authenticationRef"]["name"]
            assert all(isinstance(v, str) for v in trigger["metadata"].values())
        for policy in spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]["policies"]:
            assert {"type", "value", "periodSeconds"} <= set(policy)
        if "scalingModifiers" in spec["advanced"]:
            assert spec["advanced"]["scalingModifiers"]["target"] and spec["advanced"]["scalingModifiers"]["formula"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid(one_queue, two_queues, version: str) -> None:
    validate_strict(one_queue[1], version)
    validate_strict(two_queues[1], version)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"queue_urls": []}, "queue_urls must name at least one SQS queue"),
        ({"queue_urls": QUEUE_A}, "queue_urls must be a sequence of queue URLs, not one string"),
        ({"queue_urls": [QUEUE_A, ""]}, "queue_urls must not contain an empty URL"),
        ({"queue_urls": [QUEUE_A, QUEUE_A]}, "queue_urls must not repeat a queue"),
        ({"deployment_name": ""}, "deployment_name must name the Deployment to scale"),
        ({"region": ""}, "region must name the AWS region of the queues"),
        ({"min_replicas": -1}, "min_replicas must be 0 or more, got -1"),
        ({"min_replicas": 0, "max_replicas": 0}, "max_replicas must be at least 1, got 0"),
        ({"min_replicas": 5, "max_replicas": 4}, "min_replicas (5) must not exceed max_replicas (4)"),
        ({"messages_per_replica": 0}, "messages_per_replica must be at least 1, got 0"),
    ],
)
def test_bad_arguments(overrides: dict, message: str) -> None:
    arguments = {**ARGS, "queue_urls": [QUEUE_A], **overrides}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        QueueScalingChart(cdk8s.Testing.app(), "scaling", **arguments)
