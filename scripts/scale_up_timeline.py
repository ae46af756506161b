"""`make timeline`: the newest runner pod's start on a deployed cluster, step by step, to hold against `make latency`.

    python scripts/scale_up_timeline.py --stack GpuCluster-test-eks --region us-west-2   # reads the stack's outputs

Reads, as the read-only verifier role of `make verify` and `make status`: the runner pods, the GPU node the newest one
runs on, and the events of the runner's namespace. The times come from the objects (pod created and scheduled, node
registered and Ready, container started) and from events: KEDA's `KEDAScaleTargetActivated` on the ScaledObject
(kedacore/keda v2.20.2 pkg/eventreason/eventreason.go), cluster-autoscaler's `TriggeredScaleUp` on the pod
(kubernetes/autoscaler cluster-autoscaler-1.34.5 processors/status/eventing_scale_up_processor.go), the kubelet's
`Pulling` and `Pulled`. The API server keeps events only for its --event-ttl (kube-apiserver reference: default 1h): a step
found in no event prints `-`. When the message was sent is SQS's, not the cluster's: the first step is KEDA's.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

if __package__ in (None, ""):  # run as a script: make the project's top-level modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts.object_names import APP_LABEL, SCALED_OBJECT_NAME  # noqa: E402
from scripts.verify_gpus import Kubectl, as_verifier, environment  # noqa: E402

Resource = dict[str, Any]
# A KEDA activation this long after the pod was created cannot be what created it.
CLOCK_SLACK_S = 5


@dataclass(frozen=True)
class Mark:
    step: str
    at: datetime | None  # None: not found in the objects or in the events kept


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _event_times(event: Resource) -> list[datetime]:
    """Every time an event carries: core/v1 firstTimestamp and lastTimestamp, events.k8s.io eventTime."""
    return [t for t in (_time(event.get(key)) for key in ("firstTimestamp", "lastTimestamp", "eventTime")) if t]


def _condition(resource: Resource, kind: str) -> datetime | None:
    for condition in resource.get("status", {}).get("conditions", []):
        if condition.get("type") == kind and condition.get("status") == "True":
            return _time(condition.get("lastTransitionTime"))
    return None


def newest_runner_pod(pods: Resource) -> Resource | None:
    items = pods.get("items", [])
    return max(items, key=lambda p: p["metadata"]["creationTimestamp"]) if items else None


def timeline(pod: Resource, node: Resource | None, events: Resource) -> list[Mark]:
    """The steps of the pod's start, in the chain's order; each at its time, or None."""
    name = pod["metadata"]["name"]
    created = _time(pod["metadata"]["creationTimestamp"])
    assert created is not None

    def on_pod(reason: str) -> datetime | None:
        times = [min(_event_times(e)) for e in events.get("items", [])
                 if e.get("reason") == reason and e.get("involvedObject", {}).get("name") == name and _event_times(e)]
        return min(times) if times else None

    activations = [t for e in events.get("items", []) if e.get("reason") == "KEDAScaleTargetActivated"
                   and e.get("involvedObject", {}).get("name") == SCALED_OBJECT_NAME for t in _event_times(e)
                   if (t - created).total_seconds() <= CLOCK_SLACK_S]
    running = next((_time(s.get("state", {}).get("running", {}).get("startedAt"))
                    for s in pod.get("status", {}).get("containerStatuses", [])), None)
    return [
        Mark("KEDA activated the runner", max(activations) if activations else None),
        Mark("pod created", created),
        Mark("cluster-autoscaler asked for a node", on_pod("TriggeredScaleUp")),
        Mark("node registered", _time(node["metadata"]["creationTimestamp"]) if node else None),
        Mark("node Ready", _condition(node, "Ready") if node else None),
        Mark("pod scheduled (GPU allocatable)", _condition(pod, "PodScheduled")),
        Mark("image pull started", on_pod("Pulling")),
        Mark("image pulled", on_pod("Pulled")),
        Mark("runner container running", running),
    ]


def scenario(marks: Sequence[Mark]) -> str:
    """from-zero when the node came after the pod asked for it, else warm-node (make latency's names)."""
    times = {m.step: m.at for m in marks}
    node, pod = times["node registered"], times["pod created"]
    return "from-zero" if node and pod and node > pod else "warm-node"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def render(pod: Resource, marks: Sequence[Mark]) -> list[str]:
    # The chain starts when KEDA acts (else when the pod was made); a warm node's own steps came before it.
    start = marks[0].at or marks[1].at
    assert start is not None
    lines = [f"Newest runner pod: {pod['metadata']['name']} on {pod.get('spec', {}).get('nodeName') or '-'} "
             f"({scenario(marks)}; compare with make latency)", "",
             f"  {'step':<36}{'at':>8}{'took':>8}"]
    previous = start
    for mark in marks:
        if mark.at is None or mark.at < start:
            lines.append(f"  {mark.step:<36}{'-' if mark.at is None else 'before':>8}")
            continue
        lines.append(f"  {mark.step:<36}{_clock((mark.at - start).total_seconds()):>8}"
                     f"{_clock(max(0.0, (mark.at - previous).total_seconds())):>8}")
        previous = max(previous, mark.at)
    if any(m.at is None for m in marks):
        lines += ["", "  - : not in the pod, the node or the events kept (the API server drops events after an hour; "
                  "no autoscaler event when the node was already there)"]
    return lines


def read(kubectl: Kubectl, namespace: str) -> list[str]:
    selector = ",".join(f"{k}={v}" for k, v in APP_LABEL.items())
    pod = newest_runner_pod(kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"]) or {})
    if pod is None:
        return [f"No runner pod in {namespace}: nothing has scaled up (or everything scaled back to zero)."]
    node_name = pod.get("spec", {}).get("nodeName")
    node = kubectl(["get", "node", node_name, "-o", "json"]) if node_name else None
    events = kubectl(["get", "events", "-n", namespace, "-o", "json"]) or {}
    return render(pod, timeline(pod, node, events))


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    env = environment(list(sys.argv[1:] if argv is None else argv), dict(os.environ if environ is None else environ),
                      usage="scale_up_timeline.py")
    if isinstance(env, int):
        return env
    lines = as_verifier(env, lambda kubectl: read(kubectl, env["RUNNER_NAMESPACE"]))
    if lines is None:
        return 1
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
