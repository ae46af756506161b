#!/usr/bin/env python3
"""Entry point: read the settings once, build the stack, run cdk-nag, synthesize; write the charts to dist/ for review."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Mapping

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from settings import SettingError, load_settings
from stacks.gpu_cluster_stack import GpuClusterStack, stack_name


def build(app: cdk.App, environ: Mapping[str, str]) -> GpuClusterStack:
    """Builds the app's stacks on `app`; SettingError on bad input, before anything is added."""
    settings = load_settings(app.node.get_all_context(), environ)
    env = cdk.Environment(account=settings.account, region=settings.region)
    stack = GpuClusterStack(app, stack_name(settings.cluster_name), settings=settings, env=env)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return stack


def main(context: Mapping[str, Any] | None = None, outdir: str | None = None, environ: Mapping[str, str] = os.environ,
         manifests_dir: str | None = "dist") -> int:
    """Synthesizes into `outdir` (the CLI's cdk.out) and writes the Kubernetes manifests into `manifests_dir`."""
    app = cdk.App(context=dict(context) if context is not None else None, outdir=outdir)
    try:
        stack = build(app, environ)
    except SettingError as err:
        print(err.line, file=sys.stderr)
        return 2
    for note in stack.workloads.notes:
        print(note, file=sys.stderr)
    try:
        app.synth()
    except RuntimeError as err:  # cdk-nag findings nobody acknowledged: name them, no jsii traceback
        if "ValidationFailed" not in str(err):
            raise
        print(f"error: cdk-nag: findings are not acknowledged. Fix them or acknowledge them with a reason; "
              f"report: {Path(app.outdir) / 'validation-report.json'}", file=sys.stderr)
        return 1
    if manifests_dir is not None:
        stack.workloads.write_manifests(Path(manifests_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
