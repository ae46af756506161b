"""The app as users run it: bad input gives one line and exit 2 with nothing written; cdk-nag blocks findings."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import app
from tests.synth import CDK_JSON_CONTEXT

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(("context", "line"), [
    ({"nodeTyp": "g5.xlarge"}, "error: nodeTyp: unknown setting; did you mean nodeType?"),
    ({"nodeType": "p2.xlarge"}, "error: nodeType: p2.xlarge has a Tesla K80 (Kepler) GPU, which current NVIDIA drivers "
                                "no longer support. Use a current GPU type such as g4dn.xlarge, g5.xlarge or g6.xlarge."),
    ({"nodes": "abc"}, "error: nodes: 'abc' is not a whole number. Give a count such as 1."),
])
def test_bad_setting_one_line_exit_2_nothing_written(tmp_path, capsys, context, line):
    outdir = tmp_path / "cdk.out"
    assert app.main(context=context, outdir=str(outdir), environ={}) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [line]
    assert captured.out == ""
    assert not outdir.exists() or not any(outdir.iterdir())


def test_bad_environment_value_names_the_setting(tmp_path, capsys):
    assert app.main(context={}, outdir=str(tmp_path / "o"), environ={"CDK_DEFAULT_ACCOUNT": "12345"}) == 2
    assert capsys.readouterr().err.startswith("error: account: from $CDK_DEFAULT_ACCOUNT: '12345' is not an AWS account id.")


def test_app_py_run_as_the_cdk_cli_runs_it(tmp_path):
    """The CLI passes context in CDK_CONTEXT_JSON and runs `python app.py`: no traceback reaches the user."""
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"region": "mars-1"}), "CDK_OUTDIR": str(tmp_path / "out")}
    result = subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["error: region: 'mars-1' is not an AWS region. Use a region name such as us-west-2."]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_collector_is_off_only_when_app_py_runs_as_the_cli_runs_it(tmp_path):
    """app.py turns Python's cyclic collector off for a synth run; importing app (as the tests do) leaves it alone."""
    assert gc.isenabled()
    probe = ("import gc, os, runpy, sys\n"
             "sys.path.insert(0, os.path.dirname(sys.argv[1]))  # as `python app.py` does\n"
             "try:\n    runpy.run_path(sys.argv[1], run_name='__main__')\n"
             "except SystemExit:\n    print('collector on' if gc.isenabled() else 'collector off')\n")
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps({"nodes": "abc"}), "CDK_OUTDIR": str(tmp_path / "out")}
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT / "app.py")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout.strip() == "collector off", result.stderr


@pytest.mark.xdist_group("synth")
def test_synth_says_what_it_skipped_and_warns_of_file_mode(tmp_path, capsys, canary_home):
    context = {**CDK_JSON_CONTEXT, "nodeType": "g5g.xlarge", "gpuAmiType": "BOTTLEROCKET_ARM_64_NVIDIA", "systemNodeType": "m7g.large",
               "runnerImage": "registry.example.com/studio-go-runner-arm64:0.14.2",
               "runnerMemory": "5Gi", "sqsCredentials": "file"}
    assert app.main(context=context, outdir=str(tmp_path / "out"), environ={"HOME": str(canary_home)},
                    manifests_dir=str(tmp_path / "dist")) == 0
    assert capsys.readouterr().err.splitlines() == [
        "note: target: account unset (an environment-agnostic template), region us-west-2 (default)",
        "note: system nodes: 2 x m7g.large hold the 10 system pods (835m CPU, 687Mi requested) with one node lost: "
        "1 x (1930m, 6766Mi, 29 pods)",
        "note: no NVIDIA device plugin DaemonSet: BOTTLEROCKET_ARM_64_NVIDIA nodes run their own",
        "warning: sqsCredentials=file stores your SQS access keys in plaintext in the CloudFormation template, in cdk.out and "
        "in the kubectl handler's logs; use sqsCredentials=secretsmanager beyond a trial",
        "note: the node monitoring agent checks no NVIDIA GPU on arm64 nodes (agent v1.7.0, whose dcgm-server runs on amd64 "
        "only): GPU faults there are not repaired, "
        "and make verify does not require AcceleratedHardwareReady",
    ]
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "00-runner-namespace.k8s.yaml", "01-gpu-checks.k8s.yaml", "02-sqs-credentials.k8s.yaml", "03-runner.k8s.yaml",
        "04-gpu-verifier-rbac.k8s.yaml"]


def test_stale_manifests_are_removed_from_dist(tmp_path):
    """A chart switched off since the last synth must not linger in dist/ for `kubectl apply -f dist/`."""
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "09-old-chart.k8s.yaml").write_text("kind: Pod\n")
    (tmp_path / "dist" / "README.txt").write_text("kept: not a manifest\n")
    assert app.main(context=CDK_JSON_CONTEXT, outdir=str(tmp_path / "out"), environ={}, manifests_dir=str(tmp_path / "dist")) == 0
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "00-runner-namespace.k8s.yaml", "01-device-plugin.k8s.yaml", "02-gpu-checks.k8s.yaml", "03-sqs-credentials.k8s.yaml",
        "04-runner.k8s.yaml", "05-gpu-verifier-rbac.k8s.yaml", "README.txt"]


def test_a_failed_synth_leaves_no_manifests_looking_current(tmp_path, capsys):
    """After a refused synth, dist/ must not hold the previous run's manifests as if they were this run's."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "00-device-plugin.k8s.yaml").write_text("kind: DaemonSet\n")
    (dist / "README.txt").write_text("kept: not a manifest\n")
    assert app.main(context={"namespace": "kube-system"}, outdir=str(tmp_path / "out"), environ={}, manifests_dir=str(dist)) == 2
    assert capsys.readouterr().err.startswith("error: namespace: kube-system belongs to Kubernetes itself.")
    assert sorted(p.name for p in dist.iterdir()) == ["README.txt"]
