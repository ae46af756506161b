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
