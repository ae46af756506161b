"""CDK's own template validation, started before the stacks are built instead of when synthesis begins.

aws-cdk-lib 2.275 checks every synthesized template with a WebAssembly engine (`CloudFormationValidatePlugin`,
on by default) that it creates at `app.synth()`: about a second of node's main thread, and more work on node's
other threads after that (a synth uses more CPU time than wall time). Created before the stacks are built, that
work overlaps building them: `make bench` measured 0.3 s less a synth. The plugin is the one aws-cdk-lib would
create (default rules, the same report); registered on the app, it replaces the built-in instance and still
checks the stacks of nested stages (aws-cdk-lib 2.275.0 core/lib/private/synthesis-validation.js,
`pluginsToEvaluate`; held by tests/test_template_validation.py).
"""
from __future__ import annotations

from functools import cache
from typing import Mapping

import aws_cdk as cdk


def start_template_validation(app: cdk.App, environ: Mapping[str, str]) -> None:
    """Creates the validator now and registers it on `app`; nothing when the user turned validation off.

    `cdk synth --no-validation` sets CDK_VALIDATION=false for the app, which aws-cdk-lib honours for its own
    instance only, so it is honoured here too.
    """
    if environ.get("CDK_VALIDATION") != "false":
        cdk.Validations.of(app).add_plugins(_validator())


@cache
def _validator() -> cdk.CloudFormationValidatePlugin:
    """One per process, as aws-cdk-lib's own instance is: its engine is the costly part, and it holds no state per app."""
    return cdk.CloudFormationValidatePlugin()
