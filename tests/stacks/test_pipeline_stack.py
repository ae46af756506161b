"""Pipeline mode: CDK Pipelines from a connection, a stage per target in order, each followed by the GPU check."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from charts.gpu_verifier_rbac import VERIFIER_GROUP
from tests.synth import only, resources

pytestmark = pytest.mark.xdist_group("synth")
ROOT = Path(__file__).parent.parent.parent
# The Node.js major package.json pins: make puts it first on PATH for the CDK CLI and jsii.
NODE_MAJOR = json.loads((ROOT / "package.json").read_text())["devDependencies"]["node"].split(".")[0]
BUILD_IMAGE = "aws/codebuild/standard:7.0"
# The Node.js majors CodeBuild offers on that image: CodeBuild user guide, "Runtime versions"
# (https://docs.aws.amazon.com/codebuild/latest/userguide/runtime-versions.html: `nodejs: 18`, `20`, `22`, `24`), and the
# image's own list, aws/aws-codebuild-docker-images ubuntu/standard/7.0/runtimes.yml (nodejs 24 since 2026-04-07).
IMAGE_NODE_MAJORS = ("18", "20", "22", "24")
# Node.js 18 and 20 are end of life: jsii refuses them since 2026-10-30 (its banner names ^22 and ^24), and the AWS SDK for
# JavaScript in the CDK CLI requires 22 or newer from its January 2027 releases.
END_OF_LIFE_NODE_MAJORS = ("18", "20")


@pytest.fixture(scope="module")
def pipeline(synthesized):
    return synthesized("pipeline")


@pytest.fixture(scope="module")
def pipeline_template(pipeline):
    return json.loads((pipeline.outdir / "GpuCluster-test-eks-pipeline.template.json").read_text())


def _stage_template(synth, stage):
    (path,) = (synth.outdir / f"assembly-{stage}").glob("*.template.json")
    return json.loads(path.read_text())


def _pipeline_stages(template):
    return only(template, "AWS::CodePipeline::Pipeline")["Stages"]


def _project_with_command(template, text):
    found = [r["Properties"] for r in resources(template, "AWS::CodeBuild::Project").values()
             if text in r["Properties"]["Source"]["BuildSpec"]]
    assert found, f"no CodeBuild project runs {text!r}"
    return found


def test_source_is_the_connection_and_branch(pipeline_template):
    source = _pipeline_stages(pipeline_template)[0]["Actions"][0]
    assert source["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    config = source["Configuration"]
    assert (config["FullRepositoryId"], config["BranchName"]) == ("my-org/studio-gpu-cluster", "main")
    assert config["ConnectionArn"].startswith("arn:aws:codeconnections:us-west-2:123456789012:connection/")


def test_synth_step_runs_the_test_target_then_cdk_synth(pipeline_template):
    (synth,) = _project_with_command(pipeline_template, "make test")
    commands = json.loads(synth["Source"]["BuildSpec"])["phases"]["build"]["commands"]
    assert commands == ["make test", 'make synth CDK_ARGS="-c pipeline=true"']
    runtimes = json.loads(synth["Source"]["BuildSpec"])["phases"]["install"]["runtime-versions"]
    assert runtimes == {"python": "3.11", "nodejs": "24"}


def test_no_codebuild_step_runs_on_an_end_of_life_node(pipeline):
    """Every CodeBuild project of the pipeline, CDK Pipelines' own included (self-mutation runs the CDK CLI and asset
    publishing cdk-assets on the image's Node.js: no checkout, no package.json), selects the image's Node.js runtime of
    package.json's major; the steps with the checkout run Node.js through make or scripts/update_plan.py's pinned one."""
    steps = {}
    for template in pipeline.templates().values():
        for logical_id, project in resources(template, "AWS::CodeBuild::Project").items():
            steps[logical_id] = project["Properties"]
            assert project["Properties"]["Environment"]["Image"] == BUILD_IMAGE, logical_id
            node = json.loads(project["Properties"]["Source"]["BuildSpec"])["phases"]["install"]["runtime-versions"].get("nodejs")
            assert node == NODE_MAJOR, f"{logical_id} runs Node.js {node or 'the image default'}, not {NODE_MAJOR}"
            assert node in IMAGE_NODE_MAJORS and node not in END_OF_LIFE_NODE_MAJORS, logical_id
    specs = [json.loads(step["Source"]["BuildSpec"]) for step in steps.values()]
    commands = [" ".join(spec["phases"]["build"]["commands"]) for spec in specs]
    for runs in ("make test", "cdk -a . deploy", "cdk-assets", "scripts/plan.py", "make verify"):  # every kind of step was checked
        assert any(runs in command for command in commands), runs
    for spec in specs:  # the checkout's steps: make, or the plan script, whose diff engine runs on package.json's Node.js
        build = spec["phases"]["build"]["commands"]
        if not any(c.startswith("cdk") for c in build):
            assert all(c.startswith(("make ", ".venv/bin/python scripts/plan.py ")) for c in build), build


def test_self_mutation_uses_the_pinned_cli(pipeline_template):
    cli = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    (mutation,) = _project_with_command(pipeline_template, "cdk -a . deploy")
    assert f"aws-cdk@{cli}" in mutation["Source"]["BuildSpec"]
    assert [s["Name"] for s in _pipeline_stages(pipeline_template)][:3] == ["Source", "Build", "UpdatePipeline"]


def test_asset_publishing_installs_a_pinned_cdk_assets(pipeline):
    """CDK Pipelines installs `cdk-assets@latest` unless told a version (aws-cdk-lib 2.275.0 aws_cdk/pipelines/__init__.py,
    CodePipelineProps.cdk_assets_cli_version, "Default: - Latest version"): every publishing project installs 4.7.3."""
    specs = [project["Properties"]["Source"]["BuildSpec"] for template in pipeline.templates().values()
             for project in resources(template, "AWS::CodeBuild::Project").values()
             if "cdk-assets" in project["Properties"]["Source"]["BuildSpec"]]
    assert specs and all("npm install -g cdk-assets@4.7.3" in spec and "cdk-assets@latest" not in spec for spec in specs)


def test_one_stage_per_target_in_order_each_with_the_gpu_check(pipeline_template):
    stages = [s for s in _pipeline_stages(pipeline_template) if s["Name"] in ("prod", "dr")]
    assert [s["Name"] for s in stages] == ["prod", "dr"]
    for stage, account in zip(stages, ("123456789012", "111111111111"), strict=True):
        deploy = [a for a in stage["Actions"] if a["ActionTypeId"]["Provider"] == "CloudFormation"]
        assert {a["Configuration"]["StackName"] for a in deploy} == {"GpuCluster-test-eks"}
        assert all(account in json.dumps(a["RoleArn"]) for a in deploy)
        (check,) = [a for a in stage["Actions"] if a["Name"] == "VerifyGpus"]
        assert check["RunOrder"] > max(a["RunOrder"] for a in deploy)
        env = json.loads(check["Configuration"]["EnvironmentVariables"])
        assert {v["name"] for v in env} >= {"CLUSTER_NAME", "CLUSTER_REGION", "RUNNER_NAMESPACE", "VERIFIER_ROLE_ARN"}
        assert "GPU_HEALTH_CONDITION" in {v["name"] for v in env}  # the check also requires AcceleratedHardwareReady


def test_each_target_is_planned_against_its_deployed_template_before_the_deploy(pipeline_template):
    stages = [s for s in _pipeline_stages(pipeline_template) if s["Name"] in ("prod", "dr")]
    for stage in stages:
        deploy = [a for a in stage["Actions"] if a["ActionTypeId"]["Provider"] == "CloudFormation"]
        (plan,) = [a for a in stage["Actions"] if a["Name"] == "PlanCheck"]
        assert plan["RunOrder"] < min(a["RunOrder"] for a in deploy)
    plans = _project_with_command(pipeline_template, "scripts/plan.py --deployed")
    commands = sorted(json.loads(p["Source"]["BuildSpec"])["phases"]["build"]["commands"][-1] for p in plans)
    assert commands == [
        ".venv/bin/python scripts/plan.py --deployed GpuCluster-test-eks --region eu-west-1 --role-arn "
        "arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1 --next synth-out/assembly-dr",
        ".venv/bin/python scripts/plan.py --deployed GpuCluster-test-eks --region us-west-2 --role-arn "
        "arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-west-2 --next synth-out/assembly-prod",
    ]
    policies = [r["Properties"]["PolicyDocument"]["Statement"] for r in resources(pipeline_template, "AWS::IAM::Policy").values()]
    assume = [s["Resource"] for statements in policies for s in statements if s["Action"] == "sts:AssumeRole" and "lookup-role" in json.dumps(s)]
    assert sorted(assume) == ["arn:aws:iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-eu-west-1",
                              "arn:aws:iam::123456789012:role/cdk-hnb659fds-lookup-role-123456789012-us-west-2"]


def test_gpu_check_runs_make_verify_and_may_only_assume_the_verifier_role(pipeline_template):
    checks = _project_with_command(pipeline_template, "make verify")
    assert len(checks) == 2
    policies = [r["Properties"]["PolicyDocument"]["Statement"] for r in resources(pipeline_template, "AWS::IAM::Policy").values()]
    assume = [s for statements in policies for s in statements if s["Action"] == "sts:AssumeRole" and "gpu-verifier" in json.dumps(s)]
    assert sorted(json.dumps(s["Resource"]) for s in assume) == sorted(json.dumps(f"arn:aws:iam::{account}:role/gpu-verifier-{region}-test-eks")
                                                                  for account, region in (("123456789012", "us-west-2"),
                                                                                          ("111111111111", "eu-west-1")))


def test_verifier_has_a_read_only_access_entry_not_cluster_admin(pipeline):
    for stage, _account, region in (("prod", "123456789012", "us-west-2"), ("dr", "111111111111", "eu-west-1")):
        template = _stage_template(pipeline, stage)
        role_id, role = next((k, r) for k, r in resources(template, "AWS::IAM::Role").items()
                             if r["Properties"].get("RoleName") == f"gpu-verifier-{region}-test-eks")
        # Trusted by the pipeline's account, which runs the check.
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
        assert "123456789012" in json.dumps(trust)
        (entry,) = [r["Properties"] for r in resources(template, "AWS::EKS::AccessEntry").values()
                    if r["Properties"]["PrincipalArn"] == {"Fn::GetAtt": [role_id, "Arn"]}]
        assert entry["KubernetesGroups"] == [VERIFIER_GROUP]
        assert "AccessPolicies" not in entry  # no cluster-admin, no view-all: the group's RBAC is the whole grant


def test_stage_template_equals_direct_mode_for_the_same_environment(pipeline, synthesized):
    assert _stage_template(pipeline, "prod") == _stage_template(synthesized("direct-prod"), "prod")


def test_cdk_nag_and_cfn_lint_are_clean_on_every_template(pipeline):
    report = json.loads((pipeline.outdir / "validation-report.json").read_text())
    (nag,) = report["pluginReports"]
    assert nag["conclusion"] == "success" and nag["violations"] == []
    assert all(len(finding["reason"]) > 40 for finding in nag["suppressedViolations"])
    templates = sorted(str(p) for p in pipeline.outdir.rglob("*.template.json"))
    assert len(templates) == 4  # pipeline, its cross-region support stack, and the two stages
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), "--config-file", str(ROOT / ".cfnlintrc.yaml"), "--", *templates],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
