"""End to end through the real, pinned CDK CLI, offline: what `make synth` runs."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
CDK = ROOT / "node_modules" / ".bin" / "cdk"

pytestmark = pytest.mark.xdist_group("cli")

# No credentials, no metadata service, no notices or telemetry: the synth must work with no AWS access at all.
OFFLINE = {"AWS_EC2_METADATA_DISABLED": "true", "CDK_DISABLE_VERSION_CHECK": "true", "CDK_DISABLE_CLI_TELEMETRY": "true",
           "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}


APP = f"{ROOT / '.venv' / 'bin' / 'python'} {ROOT / 'app.py'}"


def cdk(*args: str, home: Path, app: str = APP, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the CLI as `make synth` does, but in a folder of its own (cdk.json copied there): nothing lands in the repository."""
    env = {**os.environ, **OFFLINE, "HOME": str(home), **(extra or {})}
    env = {k: v for k, v in env.items() if v != "" and not k.startswith("CDK_CONTEXT")}
    project = home / "project"
    project.mkdir(exist_ok=True)
    shutil.copy(ROOT / "cdk.json", project / "cdk.json")
    return subprocess.run([str(CDK), *args, "--app", app, "--no-notices"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)


def printed(result: subprocess.CompletedProcess) -> list[str]:
    """The lines a run printed, stdout's then stderr's, blank ones left out: the CLI sends its own lines to stdout when
    CI=true (as in CI), to stderr otherwise."""
    return [line for line in (result.stdout + result.stderr).splitlines() if line]


def _files(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.glob("*")} if directory.exists() else {}


def test_cdk_synth_default_settings(tmp_path):
    out = tmp_path / "cdk.out"
    repository_output = {name: _files(ROOT / name) for name in ("dist", "cdk.out")}
    result = cdk("synth", "--quiet", "--output", str(out), home=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    (template_file,) = out.rglob("*.template.json")  # the stack sits in stage `prod`, as in the pipeline
    template = json.loads(template_file.read_text())
    assert any(r["Type"] == "AWS::EKS::Cluster" for r in template["Resources"].values())
    # The app's notes and the CLI's own two lines, nothing else: no Node.js support banner from jsii, no runtime warning.
    assert [line for line in printed(result) if not line.startswith("note: ")] == [
        f"Successfully synthesized to {out}", "Supply a stack id () to display its template."]
    report = json.loads((out / "validation-report.json").read_text())
    assert [r["conclusion"] for r in report["pluginReports"]] == ["success"]
    # Like `make synth`, the run leaves the Kubernetes manifests in dist/ (of the folder it runs in) for review.
    assert sorted(p.name for p in (tmp_path / "project" / "dist").glob("*.k8s.yaml")) == [
        "00-runner-namespace.k8s.yaml", "01-device-plugin.k8s.yaml", "02-gpu-checks.k8s.yaml", "03-sqs-credentials.k8s.yaml",
        "04-runner.k8s.yaml", "05-gpu-verifier-rbac.k8s.yaml"]
    assert {name: _files(ROOT / name) for name in ("dist", "cdk.out")} == repository_output  # the repository's own are untouched


def test_cdk_synth_bad_setting_prints_one_clear_line(tmp_path):
    result = cdk("synth", "--quiet", "--output", str(tmp_path / "cdk.out"), "-c", "nodeTyp=g5.xlarge", home=tmp_path)
    assert result.returncode != 0
    assert "error: nodeTyp: unknown setting; did you mean nodeType?" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr


def test_cdk_synth_fails_on_an_unacknowledged_finding(tmp_path):
    """The CLI tells apps not to raise on validation errors; the app still fails the synth, naming the findings."""
    app_command = f"{ROOT / '.venv' / 'bin' / 'python'} {ROOT / 'tests' / 'apps' / 'with_unacknowledged_finding.py'}"
    result = cdk("synth", "--quiet", "--output", str(tmp_path / "cdk.out"), home=tmp_path, app=app_command)
    assert result.returncode != 0
    assert "error: cdk-nag: 2 finding(s) are not acknowledged." in result.stderr
    assert "AwsSolutions-SQS3 at prod/GpuCluster-test-eks/PlainQueue" in result.stderr


# A few corpus inputs (tests/bad_inputs.py) through the real CLI: the app's one line, the CLI's own line about the
# app's exit status 2 and nothing else (no traceback, no banner), the CLI's exit status 1, within a bound; a failed synth
# removes the manifests an earlier one left in dist/ (of the folder the CLI runs in, never the repository's).
CLI_BAD_INPUTS = [
    (["-c", "node_type=g5.xlarge"], {}, "error: node_type: unknown setting; did you mean nodeType? Settings are spelt in camelCase"),
    (["-c", "namespace=kube-system"], {}, "error: namespace: kube-system belongs to Kubernetes itself."),
    (["-c", "queueMatch=^(a+)+$", "-c", "queues=" + "a" * 79 + "_"], {}, "error: queues: "),
    ([], {"AWS_DEFAULT_REGION": "mars-1"}, "error: region: from $AWS_DEFAULT_REGION: 'mars-1' is not an AWS region."),
]


@pytest.mark.parametrize(("args", "environ", "line"), CLI_BAD_INPUTS, ids=[line.split(":")[1].strip() for _, _, line in CLI_BAD_INPUTS])
def test_cdk_synth_refuses_bad_input_in_one_line(tmp_path, args, environ, line):
    earlier = tmp_path / "project" / "dist" / "00-earlier.k8s.yaml"  # from an earlier, good synth
    earlier.parent.mkdir(parents=True)
    earlier.write_text("kind: Pod\n")
    started = time.monotonic()
    result = cdk("synth", "--quiet", "--output", str(tmp_path / "cdk.out"), *args, home=tmp_path, extra=environ)
    assert time.monotonic() - started < 120
    assert len(printed(result)) == 2, result.stdout[-1000:] + result.stderr[-2000:]
    ours, cli_line = printed(result)
    assert ours.startswith(line)
    assert cli_line == f"{APP}: Subprocess exited with error 2"  # the app's status; the CLI then exits 1
    assert result.returncode == 1
    assert not earlier.exists()
