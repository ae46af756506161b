"""template_validation.py: CDK's template validation, started before the stacks are built, checks what it checked before.

The claims rest on aws-cdk-lib 2.275.0, core/lib/private/synthesis-validation.js: a CloudFormationValidatePlugin
registered on the App replaces the built-in instance (`hasUserRegisteredCloudFormationValidatePlugin`) and is
run over every stack of the App's assembly, nested stages included (`stacksRecursively`); and
core/lib/validation/cloudformation-validate-plugin.js: its engine is created in the constructor.
"""
from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

import app
import template_validation
from tests.synth import CDK_JSON_CONTEXT


def _synth_a_misspelt_bucket(tmp_path: Path, environ: dict[str, str]) -> list[tuple[str, str, str]]:
    """(plugin, rule, construct path) of every finding, for a stack in a stage, with aws-cdk-lib's own instance off."""
    cdk_app = cdk.App(outdir=str(tmp_path), builtin_cloud_formation_validation=False)
    template_validation.start_template_validation(cdk_app, environ)
    stack = cdk.Stack(cdk.Stage(cdk_app, "prod"), "Cluster")
    cdk.CfnResource(stack, "Bucket", type="AWS::S3::Bucket", properties={"BucketNam": "typo"})
    cdk_app.synth()
    report = tmp_path / "validation-report.json"
    if not report.exists():
        return []
    return [(plugin["pluginName"], violation["ruleName"], construct["constructPath"])
            for plugin in json.loads(report.read_text())["pluginReports"]
            for violation in plugin["violations"] for construct in violation["violatingConstructs"]]


def test_the_started_validator_checks_stacks_in_nested_stages(tmp_path):
    # aws-cdk-lib's instance is off, so this finding can only come from the validator started here;
    # a second App in the same process is checked by the same (one) engine.
    for run in ("first", "second"):
        assert _synth_a_misspelt_bucket(tmp_path / run, environ={}) == [("CloudFormation Validate", "F3002", "prod/Cluster/Bucket")]


def test_cdk_validation_false_turns_it_off(tmp_path):
    """`cdk synth --no-validation` passes CDK_VALIDATION=false to the app (aws-cdk CLI 2.1148, lib/index.js)."""
    assert _synth_a_misspelt_bucket(tmp_path, environ={"CDK_VALIDATION": "false"}) == []


def test_the_app_starts_it_before_building_the_stacks(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "start_template_validation",
                        lambda cdk_app, environ: calls.append(len(cdk_app.node.find_all())))  # constructs so far
    monkeypatch.setattr(app, "GpuClusterStage", _StageBuiltAfter(calls))
    with pytest.raises(_Built):
        app.build(cdk.App(context=CDK_JSON_CONTEXT), environ={})
    assert calls == [1, "stage"]  # only the App itself existed when the validator started


def test_bad_input_returns_before_starting_it(tmp_path, monkeypatch):
    """The engine takes about a second to start: a bad setting is reported without waiting for it."""
    monkeypatch.setattr(app, "start_template_validation", lambda *args: pytest.fail("started on bad input"))
    assert app.main(context={"nodes": "abc"}, outdir=str(tmp_path), environ={}) == 2


class _Built(Exception):
    pass


class _StageBuiltAfter:
    """Stands in for the stage: notes that building began, then stops the build (the stacks are not needed here)."""

    def __init__(self, calls: list) -> None:
        self._calls = calls

    def __call__(self, *args, **kwargs):
        self._calls.append("stage")
        raise _Built
