"""`make plan`: two cloud assemblies in, per resource what the deploy does, and an exit code that stops what must not go."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from domain.names import cluster_stack_name
from scripts import plan as plan_script
from tests.synth import template_of, write_assembly

pytestmark = pytest.mark.xdist_group("transitions")  # the worker that synthesizes the day-two configurations

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def assemblies(tmp_path_factory, synth_root: Path, canary_home: Path) -> dict[str, Path]:
    """The real templates of three configurations (the day-two matrix synthesizes them in this worker already)."""
    contexts = {"deployed": {}, "nodeType": {"nodeType": "g5.xlarge"}, "clusterName": {"clusterName": "gpu-lab"}}
    return {name: write_assembly(tmp_path_factory.mktemp(name), cluster_stack_name(context.get("clusterName", "test-eks")),
                            template_of(context, synth_root, {"HOME": str(canary_home)}))
            for name, context in contexts.items()}


def _plan(capsys, *args: str) -> tuple[int, str, str]:
    code = plan_script.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_node_type_change_replaces_the_gpu_nodegroup_and_may_go_ahead(assemblies, capsys):
    code, out, err = _plan(capsys, "--base", assemblies["deployed"], "--next", assemblies["nodeType"])
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("prod/GpuCluster-test-eks: ")
    (replaced,) = [line for line in out.splitlines() if "REPLACE" in line]
    assert "(AWS::EKS::Nodegroup test-eks-" in replaced and "InstanceTypes" in replaced
    assert out.splitlines()[-1] == "plan: the deploy may go ahead"


def test_a_cluster_name_change_is_stopped_naming_the_cluster(assemblies, capsys):
    code, _, err = _plan(capsys, "--base", assemblies["deployed"], "--next", assemblies["clusterName"])
    assert code == 1
    assert err.startswith("error: plan: the deploy must not go ahead as it is: prod/GpuCluster-test-eks -> prod/GpuCluster-gpu-lab "
                          "(cluster test-eks -> gpu-lab): ")
    assert len(err.splitlines()) == 1


def test_one_template_file_is_a_base_too(assemblies, capsys):
    (template,) = assemblies["deployed"].rglob("*.template.json")
    code, out, _ = _plan(capsys, "--base", template, "--next", assemblies["nodeType"])
    assert code == 0 and "REPLACE" in out


@pytest.mark.parametrize("args, message", [
    (["--base", "/nonexistent", "--next", "."], "error: plan: /nonexistent is neither a cdk.out folder nor a template file"),
    (["--base", "", "--next", "."], "error: plan: BASE is not set: give the cdk.out folder of the deployed synth, or its template "
                                    "file (make plan BASE=path/to/cdk.out)"),
    (["--next", "."], "error: plan: usage: plan.py --base BASE --next CDK_OUT | --deployed STACK --region REGION "
                      "[--role-arn ARN] --next DIR"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, capsys):
    code, out, err = _plan(capsys, *args)
    assert (code, out, err) == (2, "", message + "\n")


def test_a_file_that_is_not_a_template_is_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "t.json").write_text(json.dumps({"not": "a template"}))
    code, _, err = _plan(capsys, "--base", tmp_path / "t.json", "--next", ROOT / "tests")
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: plan: ")


def test_make_plan_without_base_says_what_to_give():
    result = subprocess.run(["make", "-s", "plan"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    ours = [line for line in result.stderr.splitlines() if not re.match(r"make(\[\d+\])?: ", line)]
    assert ours == ["error: plan: BASE is not set: give the cdk.out folder of the deployed synth, or its template file "
                    "(make plan BASE=path)"]
