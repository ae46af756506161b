"""Proves a deployed cluster's GPUs work: the pipeline's post-deploy step, and `make verify` on a workstation.

    CLUSTER_NAME=... CLUSTER_REGION=... RUNNER_NAMESPACE=... VERIFIER_ROLE_ARN=... python scripts/verify_gpus.py
    python scripts/verify_gpus.py --stack GpuCluster-test-eks --region us-west-2   # reads those from the stack's outputs

1. Writes a private kubeconfig for the cluster that authenticates as VERIFIER_ROLE_ARN (read-only:
   nodes, and jobs in the runner's namespace; see charts/gpu_verifier_rbac.py).
2. Waits for Job `gpu-smoke-test` to succeed; fails at once if it failed, or at the deadline.
   The Job removes itself an hour after it finishes: when it is gone, an earlier deploy already
   ran it, and the node check below is the evidence.
3. Every GPU node (label nvidia.com/gpu.present=true) must report allocatable nvidia.com/gpu > 0 and, when
   GPU_HEALTH_CONDITION names a node condition (AcceleratedHardwareReady, set by the EKS node monitoring
   agent), report it True: False means the agent saw a GPU fault (or could not reach DCGM).

Exit 0 with one line per finding; exit 1 with `error: ...` when the GPUs are not proven.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

if __package__ in (None, ""):  # run as a script: make the project's top-level modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts.object_names import SMOKE_TEST_DEADLINE_SECONDS, SMOKE_TEST_JOB_NAME  # noqa: E402
from charts.gpu_scheduling import GPU_NODE_LABEL_KEY, GPU_NODE_LABEL_VALUE, GPU_RESOURCE  # noqa: E402

REQUIRED_ENV = ("CLUSTER_NAME", "CLUSTER_REGION", "RUNNER_NAMESPACE", "VERIFIER_ROLE_ARN")
# The cluster stack's outputs that carry them (stacks/gpu_cluster_stack.py).
OUTPUT_FOR_ENV = {"CLUSTER_NAME": "ClusterName", "CLUSTER_REGION": "Region", "RUNNER_NAMESPACE": "RunnerNamespace",
                  "VERIFIER_ROLE_ARN": "GpuVerifierRoleArn", "GPU_HEALTH_CONDITION": "GpuHealthCondition",
                  "RUNNER_QUEUE_URLS": "RunnerQueueUrls"}
NOT_WATCHED = "none"
POLL_SECONDS = 15

Kubectl = Callable[[list[str]], dict[str, Any] | None]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    line: str


def job_verdict(job: dict[str, Any] | None) -> Verdict | None:
    """None while the Job still runs; a verdict once it succeeded, failed, or is gone."""
    if job is None:
        return Verdict(True, f"{SMOKE_TEST_JOB_NAME}: not present (it ran in an earlier deploy and was cleaned up); checking nodes")
    status = job.get("status", {})
    if status.get("succeeded", 0) >= 1:
        return Verdict(True, f"{SMOKE_TEST_JOB_NAME}: succeeded (nvidia-smi ran on a GPU node)")
    for condition in status.get("conditions", []):
        if condition.get("type") == "Failed" and condition.get("status") == "True":
            return Verdict(False, f"{SMOKE_TEST_JOB_NAME} failed: {condition.get('reason', '')} {condition.get('message', '')}".strip()
                           + f". See kubectl logs -n {job['metadata'].get('namespace', 'default')} job/{SMOKE_TEST_JOB_NAME}")
    return None


def node_condition(node: dict[str, Any], condition_type: str) -> dict[str, Any] | None:
    return next((c for c in node.get("status", {}).get("conditions", []) if c.get("type") == condition_type), None)


def unhealthy_nodes(items: list[dict[str, Any]], condition_type: str) -> list[str]:
    """`name (reason: message)` of each node whose condition is not True; a node that does not report it yet counts too."""
    found = []
    for node in items:
        condition = node_condition(node, condition_type)
        if condition is None:
            found.append(f"{node['metadata']['name']} (no {condition_type} yet: is the node monitoring agent running there?)")
        elif condition.get("status") != "True":
            found.append(f"{node['metadata']['name']} ({condition.get('reason', '')}: {condition.get('message', '')})")
    return found


def nodes_verdict(nodes: dict[str, Any], job_seen: bool, health_condition: str = NOT_WATCHED) -> Verdict:
    """Every GPU node must advertise GPUs (and report `health_condition` True); with no GPU node up, only a successful
    smoke test of this deploy proves anything."""
    items = nodes.get("items", [])
    without = [n["metadata"]["name"] for n in items if int(n.get("status", {}).get("allocatable", {}).get(GPU_RESOURCE, "0")) < 1]
    if without:
        return Verdict(False, f"GPU nodes without allocatable {GPU_RESOURCE}: {', '.join(without)}. "
                              "Is the NVIDIA device plugin running on them? kubectl -n kube-system get ds nvidia-device-plugin-daemonset")
    unhealthy = unhealthy_nodes(items, health_condition) if health_condition != NOT_WATCHED else []
    if unhealthy:
        return Verdict(False, f"GPU nodes whose {health_condition} is not True: {'; '.join(unhealthy)}. "
                              f"kubectl describe node shows the agent's finding; node auto repair acts on GPU faults")
    if not items and not job_seen:
        return Verdict(False, "no GPU node is running and the smoke test is gone: nothing proves the GPUs. "
                              "Re-run the smoke test (kubectl delete job gpu-smoke-test, then deploy) or scale a GPU node up")
    healthy = f" and {health_condition}=True" if health_condition != NOT_WATCHED else ""
    return Verdict(True, f"{len(items)} GPU node(s), each with allocatable {GPU_RESOURCE} >= 1{healthy}")


def verify(kubectl: Kubectl, namespace: str, *, deadline_seconds: float, sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic, health_condition: str = NOT_WATCHED) -> list[Verdict]:
    """The whole check against a `kubectl(args) -> parsed JSON or None (not found)` function."""
    started = clock()
    while True:
        job = kubectl(["get", "job", SMOKE_TEST_JOB_NAME, "-n", namespace, "-o", "json"])
        verdict = job_verdict(job)
        if verdict is not None:
            break
        if clock() - started > deadline_seconds:
            verdict = Verdict(False, f"{SMOKE_TEST_JOB_NAME} did not finish within {deadline_seconds:.0f} s: no GPU node came up, "
                                     "or the pod could not be scheduled. kubectl describe job gpu-smoke-test")
            break
        sleep(POLL_SECONDS)
    verdicts = [verdict]
    if verdict.ok:
        verdicts.append(nodes_verdict(gpu_nodes(kubectl), job_seen=job is not None, health_condition=health_condition))
    return verdicts


def gpu_nodes(kubectl: Kubectl) -> dict[str, Any]:
    return kubectl(["get", "nodes", "-l", f"{GPU_NODE_LABEL_KEY}={GPU_NODE_LABEL_VALUE}", "-o", "json"]) or {}


def kubectl_runner(kubeconfig: Path) -> Kubectl:
    def run(args: list[str]) -> dict[str, Any] | None:
        result = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            if "NotFound" in result.stderr:
                return None
            raise RuntimeError(f"kubectl {' '.join(args[:2])} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}")
        document = json.loads(result.stdout)
        if not isinstance(document, dict):  # `-o json` of one object or a list prints one JSON object
            raise RuntimeError(f"kubectl {' '.join(args[:2])} printed no JSON object")
        return document
    return run


def write_kubeconfig(path: Path, *, cluster: str, region: str, role_arn: str) -> None:
    subprocess.run(["aws", "eks", "update-kubeconfig", "--name", cluster, "--region", region, "--role-arn", role_arn,
                    "--kubeconfig", str(path)], check=True, capture_output=True, text=True, timeout=120)


def env_from_stack_outputs(outputs: list[dict[str, str]]) -> dict[str, str]:
    """CloudFormation's `Outputs` of the cluster stack -> the environment this script reads."""
    values = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    return {name: values[key] for name, key in OUTPUT_FOR_ENV.items() if key in values}


def _stack_outputs(stack: str, region: str) -> list[dict[str, str]]:
    import boto3  # only on this path: the pipeline passes the outputs as environment variables
    outputs = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return [{"OutputKey": output["OutputKey"], "OutputValue": output["OutputValue"]} for output in outputs]


def environment(args: list[str], env: dict[str, str], usage: str = "verify_gpus.py") -> dict[str, str] | int:
    """The cluster to read, from `--stack NAME --region REGION` (the stack's outputs) or the environment; an exit code on error."""
    if args:
        if len(args) != 4 or args[0] != "--stack" or args[2] != "--region":
            print(f"error: usage: {usage} [--stack NAME --region REGION]", file=sys.stderr)
            return 2
        try:
            env.update(env_from_stack_outputs(_stack_outputs(args[1], args[3])))
        except Exception as err:  # botocore's errors: no credentials, no such stack, no network
            print(f"error: cannot read the outputs of stack {args[1]} in {args[3]}: {err}", file=sys.stderr)
            return 1
    missing = [name for name in REQUIRED_ENV if not env.get(name)]
    if missing:
        print(f"error: {', '.join(missing)} not set. Take them from the cluster stack's outputs "
              "(make verify does), or run from the pipeline's post-deploy step", file=sys.stderr)
        return 2
    return env


Read = TypeVar("Read")


def as_verifier(env: Mapping[str, str], read: Callable[[Kubectl], Read]) -> Read | None:
    """`read(kubectl)` with a kubectl that authenticates as the verifier role; None once the one error line is printed."""
    with tempfile.TemporaryDirectory() as work:
        kubeconfig = Path(work) / "kubeconfig"
        try:
            write_kubeconfig(kubeconfig, cluster=env["CLUSTER_NAME"], region=env["CLUSTER_REGION"], role_arn=env["VERIFIER_ROLE_ARN"])
            return read(kubectl_runner(kubeconfig))
        except (subprocess.CalledProcessError, RuntimeError, FileNotFoundError) as err:
            detail = getattr(err, "stderr", "") or str(err)
            print(f"error: cannot read the cluster: {detail.strip().splitlines()[-1] if detail.strip() else err}", file=sys.stderr)
            return None


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    env = environment(list(sys.argv[1:] if argv is None else argv), dict(os.environ if environ is None else environ))
    if isinstance(env, int):
        return env
    verdicts = as_verifier(env, lambda kubectl: verify(kubectl, env["RUNNER_NAMESPACE"], deadline_seconds=SMOKE_TEST_DEADLINE_SECONDS,
                                                       health_condition=env.get("GPU_HEALTH_CONDITION") or NOT_WATCHED))
    if verdicts is None:
        return 1
    for verdict in verdicts:
        print(verdict.line if verdict.ok else f"error: {verdict.line}", file=sys.stdout if verdict.ok else sys.stderr)
    return 0 if all(v.ok for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
