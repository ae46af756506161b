"""scripts/verify_gpus.py against a fake kubectl: the verdicts the pipeline's post-deploy step and `make verify` give."""
from __future__ import annotations

import pytest

from scripts import verify_gpus
from scripts.verify_gpus import env_from_stack_outputs, verify


def job(succeeded=0, failed_reason=None):
    status = {"succeeded": succeeded} if succeeded else {}
    if failed_reason:
        status["conditions"] = [{"type": "Failed", "status": "True", "reason": failed_reason, "message": "Job has reached the specified backoff limit"}]
    return {"metadata": {"name": "gpu-smoke-test", "namespace": "default"}, "status": status}


def node(name, gpus):
    return {"metadata": {"name": name}, "status": {"allocatable": {"nvidia.com/gpu": str(gpus)}}}


class FakeCluster:
    """Answers `kubectl get job` with the next of `jobs` (then the last), and `kubectl get nodes` with `nodes`."""

    def __init__(self, jobs, nodes):
        self.jobs, self.nodes, self.calls = list(jobs), nodes, []

    def __call__(self, args):
        self.calls.append(args)
        if args[:2] == ["get", "job"]:
            return self.jobs.pop(0) if len(self.jobs) > 1 else self.jobs[0]
        if args[:2] == ["get", "nodes"]:
            assert "nvidia.com/gpu.present=true" in args
            return {"items": self.nodes}
        raise AssertionError(args)


def run(cluster, deadline=100.0):
    clock = iter(range(0, 10_000, 15))
    return verify(cluster, "default", deadline_seconds=deadline, sleep=lambda _: None, clock=lambda: next(clock))


def test_waits_until_the_smoke_test_succeeds_then_checks_every_gpu_node():
    cluster = FakeCluster([job(), job(), job(succeeded=1)], [node("a", 1), node("b", 4)])
    verdicts = run(cluster)
    assert all(v.ok for v in verdicts)
    assert verdicts[0].line == "gpu-smoke-test: succeeded (nvidia-smi ran on a GPU node)"
    assert verdicts[1].line == "2 GPU node(s), each with allocatable nvidia.com/gpu >= 1"
    assert sum(c[:2] == ["get", "job"] for c in cluster.calls) == 3


def test_a_failed_smoke_test_fails_at_once():
    (verdict,) = run(FakeCluster([job(failed_reason="BackoffLimitExceeded")], [node("a", 1)]))
    assert not verdict.ok and verdict.line.startswith("gpu-smoke-test failed: BackoffLimitExceeded")


def test_a_smoke_test_that_never_finishes_fails_at_the_deadline():
    (verdict,) = run(FakeCluster([job()], []), deadline=60)
    assert not verdict.ok and "did not finish within 60 s" in verdict.line


def test_a_gpu_node_without_allocatable_gpus_fails():
    verdicts = run(FakeCluster([job(succeeded=1)], [node("good", 1), node("bad", 0)]))
    assert not verdicts[1].ok and "bad" in verdicts[1].line and "good" not in verdicts[1].line


def test_job_cleaned_up_earlier_relies_on_the_nodes():
    assert all(v.ok for v in run(FakeCluster([None], [node("a", 1)])))
    verdicts = run(FakeCluster([None], []))
    assert not verdicts[1].ok and "nothing proves the GPUs" in verdicts[1].line


def test_succeeded_with_no_node_left_is_fine():
    assert all(v.ok for v in run(FakeCluster([job(succeeded=1)], [])))  # scaled back to zero after the test


def test_outputs_map_to_the_environment():
    outputs = [{"OutputKey": "ClusterName", "OutputValue": "lab"}, {"OutputKey": "Region", "OutputValue": "us-west-2"},
               {"OutputKey": "RunnerNamespace", "OutputValue": "default"},
               {"OutputKey": "GpuVerifierRoleArn", "OutputValue": "arn:aws:iam::123456789012:role/v"},
               {"OutputKey": "Other", "OutputValue": "x"}]
    assert env_from_stack_outputs(outputs) == {"CLUSTER_NAME": "lab", "CLUSTER_REGION": "us-west-2", "RUNNER_NAMESPACE": "default",
                                               "VERIFIER_ROLE_ARN": "arn:aws:iam::123456789012:role/v"}


def test_missing_environment_is_one_line_and_exit_2(capsys):
    assert verify_gpus.main([], environ={"CLUSTER_NAME": "lab"}) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: CLUSTER_REGION, RUNNER_NAMESPACE, VERIFIER_ROLE_ARN not set. Take them from the cluster stack's outputs "
        "(make verify does), or run from the pipeline's post-deploy step"]


@pytest.mark.parametrize("argv", [["--stack"], ["--region", "x", "--stack", "y"]])
def test_bad_arguments(capsys, argv):
    assert verify_gpus.main(argv, environ={}) == 2
    assert capsys.readouterr().err.strip() == "error: usage: verify_gpus.py [--stack NAME --region REGION]"


# --- the node monitoring agent's condition (GPU_HEALTH_CONDITION) --------------------------------
# The EKS node monitoring agent sets node condition AcceleratedHardwareReady for NVIDIA GPU faults
# (EKS user guide, "Detect node health issues with the EKS node monitoring agent"; eks-node-monitoring-agent
# v1.7.0 pkg/reasons/reasons.yaml: reasons DCGMError, NvidiaXID%dError, ...).

def healthy_node(name, gpus=1, status="True", reason="AcceleratedHardwareIsReady"):
    found = node(name, gpus)
    found["status"]["conditions"] = [{"type": "Ready", "status": "True"},
                                     {"type": "AcceleratedHardwareReady", "status": status, "reason": reason, "message": "m"}]
    return found


def run_watched(cluster):
    clock = iter(range(0, 10_000, 15))
    return verify(cluster, "default", deadline_seconds=100, sleep=lambda _: None, clock=lambda: next(clock),
                  health_condition="AcceleratedHardwareReady")


def test_every_gpu_node_must_report_accelerated_hardware_ready():
    verdicts = run_watched(FakeCluster([job(succeeded=1)], [healthy_node("a"), healthy_node("b")]))
    assert all(v.ok for v in verdicts)
    assert verdicts[1].line == "2 GPU node(s), each with allocatable nvidia.com/gpu >= 1 and AcceleratedHardwareReady=True"


def test_a_gpu_fault_fails_the_check_with_the_agents_reason():
    verdicts = run_watched(FakeCluster([job(succeeded=1)], [healthy_node("a"), healthy_node("b", status="False", reason="DCGMError")]))
    assert not verdicts[1].ok
    assert verdicts[1].line.startswith("GPU nodes whose AcceleratedHardwareReady is not True: b (DCGMError: m). ")


def test_a_node_without_the_condition_fails_when_it_is_watched():
    verdicts = run_watched(FakeCluster([job(succeeded=1)], [node("a", 1)]))
    assert not verdicts[1].ok and "a (no AcceleratedHardwareReady yet" in verdicts[1].line


def test_the_condition_is_ignored_when_not_watched():
    assert all(v.ok for v in run(FakeCluster([job(succeeded=1)], [healthy_node("a", status="False")])))


def test_the_watched_condition_comes_from_the_stack_outputs():
    env = env_from_stack_outputs([{"OutputKey": "GpuHealthCondition", "OutputValue": "AcceleratedHardwareReady"},
                                  {"OutputKey": "RunnerQueueUrls", "OutputValue": "https://sqs.us-west-2.amazonaws.com/1/sqs_a"}])
    assert env == {"GPU_HEALTH_CONDITION": "AcceleratedHardwareReady", "RUNNER_QUEUE_URLS": "https://sqs.us-west-2.amazonaws.com/1/sqs_a"}


def test_a_cluster_that_cannot_be_read_is_one_error_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    def refuse(path, **_):
        raise RuntimeError("kubectl get pods failed: Unauthorized\nforbidden: User cannot list")
    monkeypatch.setattr(verify_gpus, "write_kubeconfig", refuse)
    env = {"CLUSTER_NAME": "c", "CLUSTER_REGION": "us-west-2", "VERIFIER_ROLE_ARN": "arn:aws:iam::123456789012:role/v"}
    assert verify_gpus.as_verifier(env, lambda kubectl: ["never"]) is None
    assert capsys.readouterr().err == "error: cannot read the cluster: forbidden: User cannot list\n"
