"""scripts/scale_up_timeline.py (`make timeline`) on constructed pod, node and event JSON: no cluster here.

Event reasons as their sources emit them: KEDAScaleTargetActivated (kedacore/keda v2.20.2 pkg/eventreason/eventreason.go:96,
on the ScaledObject), TriggeredScaleUp (kubernetes/autoscaler cluster-autoscaler-1.34.5
processors/status/eventing_scale_up_processor.go, on the pod), Pulling and Pulled (the kubelet, on the pod).
"""
from __future__ import annotations

import pytest

from scripts import scale_up_timeline
from scripts.scale_up_timeline import newest_runner_pod, read, scenario, timeline

NAMESPACE = "studioml"
POD = "studioml-go-runner-deployment-7c9f-abcde"
NODE = "ip-10-0-1-23.us-west-2.compute.internal"


def pod(name=POD, created="2026-12-01T12:00:10Z", scheduled="2026-12-01T12:01:55Z", running="2026-12-01T12:03:40Z"):
    return {"metadata": {"name": name, "creationTimestamp": created}, "spec": {"nodeName": NODE},
            "status": {"conditions": [{"type": "PodScheduled", "status": "True", "lastTransitionTime": scheduled},
                                      {"type": "Ready", "status": "False", "lastTransitionTime": created}],
                       "containerStatuses": [{"name": "studioml-go-runner", "state": {"running": {"startedAt": running}}}]}}


def node(created="2026-12-01T12:01:20Z", ready="2026-12-01T12:01:40Z"):
    return {"metadata": {"name": NODE, "creationTimestamp": created},
            "status": {"conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready}]}}


def event(reason, on, first, last=None, kind="Pod"):
    return {"reason": reason, "involvedObject": {"kind": kind, "name": on}, "firstTimestamp": first,
            "lastTimestamp": last or first}


FROM_ZERO_EVENTS = {"items": [
    event("KEDAScaleTargetActivated", "studioml-go-runner", "2026-12-01T09:00:00Z", "2026-12-01T12:00:09Z", kind="ScaledObject"),
    event("TriggeredScaleUp", POD, "2026-12-01T12:00:21Z"),
    event("Pulling", POD, "2026-12-01T12:01:56Z"),
    event("Pulled", POD, "2026-12-01T12:03:38Z"),
    event("Pulled", "another-pod", "2026-12-01T11:00:00Z"),
]}


def test_a_scale_up_from_zero_step_by_step():
    marks = timeline(pod(), node(), FROM_ZERO_EVENTS)
    assert [(m.step, m.at.strftime("%H:%M:%S") if m.at else None) for m in marks] == [
        ("KEDA activated the runner", "12:00:09"),  # the latest activation before the pod, not the first of the day
        ("pod created", "12:00:10"),
        ("cluster-autoscaler asked for a node", "12:00:21"),
        ("node registered", "12:01:20"),
        ("node Ready", "12:01:40"),
        ("pod scheduled (GPU allocatable)", "12:01:55"),
        ("image pull started", "12:01:56"),
        ("image pulled", "12:03:38"),
        ("runner container running", "12:03:40"),
    ]
    assert scenario(marks) == "from-zero"


def test_the_screen_gives_each_step_its_time_and_how_long_it_took():
    lines = scale_up_timeline.render(pod(), timeline(pod(), node(), FROM_ZERO_EVENTS))
    assert lines[0] == f"Newest runner pod: {POD} on {NODE} (from-zero; compare with make latency)"
    assert lines[2:] == ["  step                                      at    took",
                         "  KEDA activated the runner               0:00    0:00",
                         "  pod created                             0:01    0:01",
                         "  cluster-autoscaler asked for a node     0:12    0:11",
                         "  node registered                         1:11    0:59",
                         "  node Ready                              1:31    0:20",
                         "  pod scheduled (GPU allocatable)         1:46    0:15",
                         "  image pull started                      1:47    0:01",
                         "  image pulled                            3:29    1:42",
                         "  runner container running                3:31    0:02"]


def test_on_a_warm_node_the_node_steps_come_first_and_no_autoscaler_event_shows_as_a_dash():
    warm = node(created="2026-12-01T10:00:00Z", ready="2026-12-01T10:00:40Z")
    events = {"items": [event("Pulling", POD, "2026-12-01T12:00:12Z"), event("Pulled", POD, "2026-12-01T12:00:13Z")]}
    marks = timeline(pod(scheduled="2026-12-01T12:00:11Z", running="2026-12-01T12:00:14Z"), warm, events)
    assert scenario(marks) == "warm-node"
    lines = scale_up_timeline.render(pod(), marks)
    # no KEDA event: the chain is timed from the pod's creation, and the node's steps came before it
    assert lines[3:12] == ["  KEDA activated the runner                  -",
                           "  pod created                             0:00    0:00",
                           "  cluster-autoscaler asked for a node        -",
                           "  node registered                       before",
                           "  node Ready                            before",
                           "  pod scheduled (GPU allocatable)         0:01    0:01",
                           "  image pull started                      0:02    0:01",
                           "  image pulled                            0:03    0:01",
                           "  runner container running                0:04    0:01"]
    assert any(line.startswith("  - : not in the pod") for line in lines)


def test_the_newest_runner_pod_is_the_one_read():
    older, newer = pod(name="old", created="2026-12-01T08:00:00Z"), pod(name="new", created="2026-12-01T12:00:00Z")
    assert newest_runner_pod({"items": [newer, older]})["metadata"]["name"] == "new"
    assert newest_runner_pod({"items": []}) is None


class FakeCluster:
    def __init__(self, pods):
        self.pods, self.calls = pods, []

    def __call__(self, args):
        self.calls.append(args)
        if args[:2] == ["get", "pods"]:
            assert args[2:6] == ["-n", NAMESPACE, "-l", "app=studioml-go-runner"]
            return {"items": self.pods}
        if args[:2] == ["get", "node"]:
            assert args[2] == NODE
            return node()
        if args[:2] == ["get", "events"]:
            assert args[2:4] == ["-n", NAMESPACE]
            return FROM_ZERO_EVENTS
        raise AssertionError(args)


def test_read_asks_for_the_runner_pods_their_node_and_the_namespaces_events():
    lines = read(FakeCluster([pod()]), NAMESPACE)
    assert "from-zero" in lines[0]


def test_nothing_scaled_up_says_so():
    cluster = FakeCluster([])
    assert read(cluster, NAMESPACE) == [f"No runner pod in {NAMESPACE}: nothing has scaled up (or everything scaled back to zero)."]
    assert len(cluster.calls) == 1


def test_without_the_cluster_settings_it_says_what_is_missing(capsys: pytest.CaptureFixture[str]):
    assert scale_up_timeline.main([], environ={}) == 2
    assert capsys.readouterr().err.startswith("error: ")
