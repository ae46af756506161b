"""`make status`: one screen on a deployed cluster: GPU nodes and their GPUs, runner pods, queue depths, the smoke test.

    python scripts/status.py --stack GpuCluster-test-eks --region us-west-2   # reads the stack's outputs
    CLUSTER_NAME=... CLUSTER_REGION=... RUNNER_NAMESPACE=... VERIFIER_ROLE_ARN=... [RUNNER_QUEUE_URLS=...] python scripts/status.py

Reads everything as the read-only verifier role `make verify` uses (scripts/verify_gpus.py): kubectl through a
kubeconfig that authenticates as it, and SQS queue attributes (GetQueueAttributes only) with its credentials.
Exit 0 when everything looks healthy, 1 when something needs a look (the lines starting with `!`), 2 on bad input.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if __package__ in (None, ""):  # run as a script: make the project's top-level modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts.gpu_scheduling import GPU_RESOURCE  # noqa: E402
from charts.object_names import APP_LABEL, DEPLOYMENT_NAME, SMOKE_TEST_JOB_NAME  # noqa: E402
from scripts.verify_gpus import (NOT_WATCHED, Kubectl, as_verifier, environment, gpu_nodes, job_verdict,  # noqa: E402
                                 node_condition)

if TYPE_CHECKING:
    from mypy_boto3_sqs.literals import QueueAttributeFilterType

QUEUE_ATTRIBUTES: tuple[QueueAttributeFilterType, ...] = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                                          "ApproximateNumberOfMessagesDelayed")
QueueDepths = Callable[[Sequence[str]], Mapping[str, Mapping[str, str]]]
ATTENTION = "!"


def node_lines(nodes: dict[str, Any], health_condition: str) -> list[str]:
    items = nodes.get("items", [])
    gpus = sum(int(n.get("status", {}).get("allocatable", {}).get(GPU_RESOURCE, "0")) for n in items)
    lines = [f"GPU nodes: {len(items)}, {gpus} allocatable {GPU_RESOURCE}"]
    for node in items:
        labels = node["metadata"].get("labels", {})
        allocatable = int(node.get("status", {}).get("allocatable", {}).get(GPU_RESOURCE, "0"))
        health = ""
        bad = allocatable < 1
        if health_condition != NOT_WATCHED:
            condition = node_condition(node, health_condition) or {}
            health = f"  {health_condition}={condition.get('status', 'missing')}"
            if condition.get("status") != "True":
                bad = True
                health += f" {condition.get('reason', '')}".rstrip()
        lines.append(f"{ATTENTION if bad else ' '} {node['metadata']['name']}  {labels.get('node.kubernetes.io/instance-type', '?')}  "
                     f"{GPU_RESOURCE}={allocatable}{health}")
    return lines


def pod_state(pod: dict[str, Any]) -> tuple[str, bool]:
    """`Running, ready` / `Pending: Unschedulable` / `Waiting: CrashLoopBackOff`; and whether it needs a look."""
    status = pod.get("status", {})
    for container in status.get("containerStatuses", []):
        waiting = container.get("state", {}).get("waiting")
        if waiting:
            return f"Waiting: {waiting.get('reason', '')}", True
    phase = status.get("phase", "Unknown")
    if phase == "Pending":
        reasons = [c.get("reason", "") for c in status.get("conditions", []) if c.get("status") == "False" and c.get("reason")]
        return f"Pending{': ' + reasons[0] if reasons else ''}", False
    ready = all(c.get("ready") for c in status.get("containerStatuses", [])) and bool(status.get("containerStatuses"))
    return f"{phase}, {'ready' if ready else 'not ready'}", phase != "Running" or not ready


def runner_lines(deployment: dict[str, Any] | None, pods: dict[str, Any], namespace: str) -> list[str]:
    if deployment is None:
        return [f"{ATTENTION} runner: Deployment {DEPLOYMENT_NAME} not found in {namespace}"]
    wanted = deployment.get("spec", {}).get("replicas", 0)
    ready = deployment.get("status", {}).get("readyReplicas", 0)
    lines = [f"Runner pods ({namespace}): {ready} ready of {wanted} wanted"]
    for pod in pods.get("items", []):
        state, bad = pod_state(pod)
        lines.append(f"{ATTENTION if bad else ' '} {pod['metadata']['name']}  {state}  {pod.get('spec', {}).get('nodeName') or '-'}")
    return lines


def queue_lines(urls: Sequence[str], depths: QueueDepths) -> list[str]:
    if not urls:
        return ["Queues: none listed (settings: queues)"]
    lines = ["Queues: visible / in flight / delayed"]
    for url, attributes in depths(urls).items():
        values = " / ".join(attributes.get(name, "?") for name in QUEUE_ATTRIBUTES)
        lines.append(f"  {url.rsplit('/', 1)[-1]}  {values}")
    return lines


def smoke_test_line(job: dict[str, Any] | None) -> str:
    verdict = job_verdict(job)
    if verdict is None:
        return f"  Smoke test: {SMOKE_TEST_JOB_NAME} still running"
    return f"{' ' if verdict.ok else ATTENTION} Smoke test: {verdict.line}"


def status(kubectl: Kubectl, namespace: str, *, health_condition: str, queue_urls: Sequence[str], depths: QueueDepths) -> list[str]:
    """The whole screen, from a `kubectl(args) -> JSON or None` function and a queue-depth reader."""
    deployment = kubectl(["get", "deployment", DEPLOYMENT_NAME, "-n", namespace, "-o", "json"])
    pods = kubectl(["get", "pods", "-n", namespace, "-l", ",".join(f"{k}={v}" for k, v in APP_LABEL.items()), "-o", "json"]) or {}
    job = kubectl(["get", "job", SMOKE_TEST_JOB_NAME, "-n", namespace, "-o", "json"])
    return [*node_lines(gpu_nodes(kubectl), health_condition), "", *runner_lines(deployment, pods, namespace), "",
            *queue_lines(queue_urls, depths), "", smoke_test_line(job)]


def sqs_depths(region: str, role_arn: str) -> QueueDepths:
    def read(urls: Sequence[str]) -> dict[str, dict[str, str]]:
        import boto3  # only when run for real: tests pass a fake
        credentials = boto3.client("sts", region_name=region).assume_role(RoleArn=role_arn, RoleSessionName="make-status")["Credentials"]
        sqs = boto3.client("sqs", region_name=region, aws_access_key_id=credentials["AccessKeyId"],
                           aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"])
        return {url: dict(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(QUEUE_ATTRIBUTES))["Attributes"].items())
                for url in urls}
    return read


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    env = environment(list(sys.argv[1:] if argv is None else argv), dict(os.environ if environ is None else environ),
                      usage="status.py")
    if isinstance(env, int):
        return env
    urls = [url for url in env.get("RUNNER_QUEUE_URLS", "").split(",") if url]
    lines = as_verifier(env, lambda kubectl: status(kubectl, env["RUNNER_NAMESPACE"],
                                                    health_condition=env.get("GPU_HEALTH_CONDITION") or NOT_WATCHED,
                                                    queue_urls=urls, depths=sqs_depths(env["CLUSTER_REGION"], env["VERIFIER_ROLE_ARN"])))
    if lines is None:
        return 1
    print(f"Cluster {env['CLUSTER_NAME']} ({env['CLUSTER_REGION']})\n")
    print("\n".join(lines))
    return 1 if any(line.startswith(ATTENTION) for line in lines) else 0

if __name__ == "__main__":
    sys.exit(main())
