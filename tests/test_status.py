"""scripts/status.py (`make status`) against a fake kubectl and a fake SQS: the screen a person reads, and its exit code."""
from __future__ import annotations

import pytest

from scripts import status as status_script
from scripts.status import status

NAMESPACE = "default"
QUEUE = "https://sqs.us-west-2.amazonaws.com/123456789012/sqs_train"


def gpu_node(name, gpus=1, health="True", reason="AcceleratedHardwareIsReady"):
    return {"metadata": {"name": name, "labels": {"node.kubernetes.io/instance-type": "g4dn.xlarge"}},
            "status": {"allocatable": {"nvidia.com/gpu": str(gpus)},
                       "conditions": [{"type": "AcceleratedHardwareReady", "status": health, "reason": reason}]}}


def pod(name, phase="Running", ready=True, waiting=None, node="ip-10-0-1-1"):
    container = {"name": "studioml-go-runner", "ready": ready, "state": {"waiting": {"reason": waiting}} if waiting else {"running": {}}}
    return {"metadata": {"name": name}, "spec": {"nodeName": node}, "status": {"phase": phase, "containerStatuses": [container]}}


class FakeCluster:
    def __init__(self, nodes, pods, deployment=(2, 2), job=None):
        self.nodes, self.pods, self.deployment, self.job, self.calls = nodes, pods, deployment, job, []

    def __call__(self, args):
        self.calls.append(args)
        kind = args[1]
        if kind == "nodes":
            assert "nvidia.com/gpu.present=true" in args
            return {"items": self.nodes}
        if kind == "deployment":
            assert args[2] == "studioml-go-runner-deployment" and args[4] == NAMESPACE
            if self.deployment is None:
                return None
            wanted, ready = self.deployment
            return {"spec": {"replicas": wanted}, "status": {"readyReplicas": ready}}
        if kind == "pods":
            assert args[args.index("-l") + 1] == "app=studioml-go-runner"
            return {"items": self.pods}
        if kind == "job":
            return self.job
        raise AssertionError(args)


def depths(urls):
    return {url: {"ApproximateNumberOfMessages": "4", "ApproximateNumberOfMessagesNotVisible": "2",
                  "ApproximateNumberOfMessagesDelayed": "0"} for url in urls}


SUCCEEDED = {"metadata": {"name": "gpu-smoke-test", "namespace": NAMESPACE}, "status": {"succeeded": 1}}


def screen(cluster, urls=(QUEUE,), health="AcceleratedHardwareReady"):
    return status(cluster, NAMESPACE, health_condition=health, queue_urls=list(urls), depths=depths)


def test_a_healthy_cluster_on_one_screen():
    lines = screen(FakeCluster([gpu_node("ip-10-0-1-1"), gpu_node("ip-10-0-1-2")],
                               [pod("studioml-go-runner-deployment-a"), pod("studioml-go-runner-deployment-b")], job=SUCCEEDED))
    assert lines == [
        "GPU nodes: 2, 2 allocatable nvidia.com/gpu",
        "  ip-10-0-1-1  g4dn.xlarge  nvidia.com/gpu=1  AcceleratedHardwareReady=True",
        "  ip-10-0-1-2  g4dn.xlarge  nvidia.com/gpu=1  AcceleratedHardwareReady=True",
        "",
        "Runner pods (default): 2 ready of 2 wanted",
        "  studioml-go-runner-deployment-a  Running, ready  ip-10-0-1-1",
        "  studioml-go-runner-deployment-b  Running, ready  ip-10-0-1-1",
        "",
        "Queues: visible / in flight / delayed",
        "  sqs_train  4 / 2 / 0",
        "",
        "  Smoke test: gpu-smoke-test: succeeded (nvidia-smi ran on a GPU node)",
    ]
    assert not any(line.startswith("!") for line in lines)


def test_what_needs_a_look_is_marked():
    lines = screen(FakeCluster([gpu_node("bad", health="False", reason="NvidiaXID79Error"), gpu_node("nogpu", gpus=0)],
                               [pod("r-a", waiting="CrashLoopBackOff", ready=False), pod("r-b", phase="Pending", ready=False, node=None)],
                               deployment=(3, 0),
                               job={"metadata": {"name": "gpu-smoke-test", "namespace": NAMESPACE},
                                    "status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}}))
    marked = [line for line in lines if line.startswith("!")]
    assert marked[0] == "! bad  g4dn.xlarge  nvidia.com/gpu=1  AcceleratedHardwareReady=False NvidiaXID79Error"
    assert marked[1].startswith("! nogpu  g4dn.xlarge  nvidia.com/gpu=0")
    assert "! r-a  Waiting: CrashLoopBackOff  ip-10-0-1-1" in marked
    assert "  r-b  Pending  -" in lines  # waiting for a GPU node is normal while the autoscaler adds one
    assert marked[-1].startswith("! Smoke test: gpu-smoke-test failed: BackoffLimitExceeded")


def test_no_queues_and_no_health_watch():
    lines = screen(FakeCluster([gpu_node("a", health="False")], []), urls=(), health="none")
    assert "Queues: none listed (settings: queues)" in lines
    assert lines[1] == "  a  g4dn.xlarge  nvidia.com/gpu=1"
    assert lines[-1] == "  Smoke test: gpu-smoke-test: not present (it ran in an earlier deploy and was cleaned up); checking nodes"


def test_missing_runner_deployment_is_marked():
    lines = screen(FakeCluster([], [], deployment=None))
    assert "! runner: Deployment studioml-go-runner-deployment not found in default" in lines


def test_reads_only():
    cluster = FakeCluster([], [])
    screen(cluster)
    assert {call[0] for call in cluster.calls} == {"get"}


def test_missing_environment_is_one_line_and_exit_2(capsys):
    assert status_script.main([], environ={"CLUSTER_NAME": "lab"}) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: CLUSTER_REGION, RUNNER_NAMESPACE, VERIFIER_ROLE_ARN not set. Take them from the cluster stack's outputs "
        "(make verify does), or run from the pipeline's post-deploy step"]


@pytest.mark.parametrize("argv", [["--stack"], ["--region", "x", "--stack", "y"]])
def test_bad_arguments(capsys, argv):
    assert status_script.main(argv, environ={}) == 2
    assert capsys.readouterr().err.strip() == "error: usage: status.py [--stack NAME --region REGION]"


def test_the_scripts_that_read_a_cluster_start_without_cdk8s():
    # They need the objects' names only (charts/object_names.py); cdk8s would start jsii, about a second.
    import subprocess
    import sys
    code = "import sys, scripts.status, scripts.verify_gpus, scripts.scale_up_timeline; print(sorted({'cdk8s', 'jsii'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
