#!/usr/bin/env python3
"""Entry point: read the settings once, build the stack, run cdk-nag, synthesize; write the charts to dist/ for review."""
from __future__ import annotations

import gc

if __name__ == "__main__":
    # A synth is one short process that keeps some 170,000 objects (aws-cdk-lib's Python classes, the constructs)
    # to the end: the cyclic collector's 400 passes over them free about 2,400, and they and its pass at exit cost
    # about 0.4 s of every synth (make bench). Off before the imports, where most of the objects are made.
    gc.disable()

import json
import os
import sys
from pathlib import Path
from typing import Any, Mapping

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from domain.names import pipeline_stack_name
from settings import SettingError, Settings, load_settings, target_line, user_notes
from stacks.gpu_cluster_stack import GpuClusterStack
from stacks.stage import GpuClusterStage
from template_validation import start_template_validation

ROOT = Path(__file__).resolve().parent
VALIDATION_REPORT = "validation-report.json"


def unacknowledged_findings(report: Path) -> list[str]:
    """`<rule> at <construct path>` for every violation a validation plugin reported and nobody acknowledged."""
    if not report.exists():
        return []
    plugins = json.loads(report.read_text()).get("pluginReports", [])
    return [f"{violation['ruleName']} at {construct['constructPath']}"
            for plugin in plugins for violation in plugin.get("violations", [])
            for construct in violation.get("violatingConstructs", [])]


def cdk_cli_version() -> str:
    """The CDK CLI version package.json pins: the pipeline installs the same one."""
    version: str = json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    return version


def build(app: cdk.App, environ: Mapping[str, str]) -> list[GpuClusterStack]:
    """Builds the app on `app` and returns its cluster stacks; SettingError on bad input, before anything is added.

    The cluster stack always sits in a stage named after the (first) target, in direct mode too, so
    its construct paths, and so its template, are the same whether `make deploy` or the pipeline deploys it.
    """
    settings = load_settings(app.node.get_all_context(), environ)
    print(target_line(settings), file=sys.stderr)
    start_template_validation(app, environ)  # first, so its engine compiles while the stacks are built; after the settings check, so bad input stays quick
    if settings.delivery.pipeline:
        from stacks.pipeline_stack import PipelineStack  # only here: CDK Pipelines and CodeBuild add a second to every synth

        cluster = settings.cluster
        stages = [GpuClusterStage(app, target.name, settings=settings.for_target(target), verifier_trusted_account=cluster.account)
                  for target in settings.targets]
        PipelineStack(app, pipeline_stack_name(cluster.cluster_name), settings=settings, stages=stages,
                      cdk_cli_version=cdk_cli_version(), env=cdk.Environment(account=cluster.account, region=cluster.region))
    else:
        stages = [GpuClusterStage(app, settings.targets[0].name, settings=settings, verifier_trusted_account=settings.cluster.account)]
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return [stage.cluster_stack for stage in stages]


def checked_settings(context: Mapping[str, Any], environ: Mapping[str, str]) -> Settings | None:
    """The settings, or None after printing the line `main` prints for them: the bad-input corpus runs this, no synth."""
    try:
        return load_settings(context, environ)
    except SettingError as err:
        print(err.line, file=sys.stderr)
        return None


def main(context: Mapping[str, Any] | None = None, outdir: str | None = None, environ: Mapping[str, str] = os.environ,
         manifests_dir: str | None = None) -> int:
    """Synthesizes into `outdir` (the CLI's cdk.out) and writes the Kubernetes manifests into `manifests_dir`.

    Whatever stops a synth also removes the manifests of an earlier one, so dist/ never looks current when it is not.
    """
    app = cdk.App(context=dict(context) if context is not None else None, outdir=outdir)
    succeeded = False
    try:
        code = _synth(app, environ, manifests_dir)
        succeeded = code == 0
        return code
    finally:
        if not succeeded and manifests_dir is not None:
            remove_manifests(Path(manifests_dir))


def _synth(app: cdk.App, environ: Mapping[str, str], manifests_dir: str | None) -> int:
    try:
        clusters = build(app, environ)
    except SettingError as err:
        print(err.line, file=sys.stderr)
        return 2
    for note in user_notes(clusters[0].settings):  # every target has the same settings, so the same notes
        print(note, file=sys.stderr)
    try:
        app.synth()
    except RuntimeError as err:  # in-process synth raises on unacknowledged findings; the report says which
        if "ValidationFailed" not in str(err):
            raise
    # The CDK CLI tells the app not to raise (it sets failSynthOnValidationErrors=false), so read the report either way.
    findings = unacknowledged_findings(Path(app.outdir) / VALIDATION_REPORT)
    if findings:
        print(f"error: cdk-nag: {len(findings)} finding(s) are not acknowledged. Fix them or acknowledge them with a reason "
              f"(report: {Path(app.outdir) / VALIDATION_REPORT}):", file=sys.stderr)
        for finding in findings:
            print(f"  {finding}", file=sys.stderr)
        return 1
    if manifests_dir is not None:
        clusters[0].manifests.write(Path(manifests_dir))
    return 0


def remove_manifests(directory: Path) -> None:
    """Manifests of an earlier synth, which a failed one must not leave looking current (other files stay)."""
    for stale in directory.glob("*.k8s.yaml"):
        stale.unlink()


if __name__ == "__main__":
    exit_code = main(manifests_dir="dist")
    gc.freeze()  # CPython still collects once while it unloads the modules, even with the collector off: leave it nothing to walk
    sys.exit(exit_code)
