"""A bare stack for one add-on: an imported cluster and kubectl provider, no network, nodes or app settings."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import aws_cdk as cdk
import cdk_nag
from aws_cdk import aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

ENV = cdk.Environment(account="123456789012", region="us-west-2")
CLUSTER_NAME = "studio"
KUBECTL_HANDLER = "arn:aws:lambda:us-west-2:123456789012:function:kubectl-handler"


def synth_bare(outdir: Path, build: Callable[[cdk.Stack, eks.ICluster, Construct], Any]) -> tuple[cdk.Stack, Any, dict]:
    """Runs `build(stack, cluster, nodes)` in a bare stack, synthesizes it with cdk-nag (raises on a finding); the template."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Bare", env=ENV)
    cluster = imported_cluster(stack)
    nodes = Construct(stack, "Nodes")  # what the add-on must wait for, standing in for the nodegroups
    built = build(stack, cluster, nodes)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    app.synth()
    return stack, built, json.loads((outdir / "Bare.template.json").read_text())


def imported_cluster(stack: cdk.Stack, vpc: ec2.IVpc | None = None) -> eks.ICluster:
    """Cluster `studio` with a kubectl provider (Helm releases and manifests need one), imported by name: nothing to build."""
    provider = eks.KubectlProvider.from_kubectl_provider_attributes(
        stack, "Kubectl", service_token=KUBECTL_HANDLER,
        role=iam.Role.from_role_arn(stack, "KubectlRole", "arn:aws:iam::123456789012:role/kubectl"))
    return eks.Cluster.from_cluster_attributes(stack, "Cluster", cluster_name=CLUSTER_NAME, kubectl_provider=provider, vpc=vpc)


def of_type(template: dict, resource_type: str) -> dict[str, dict]:
    return {key: res for key, res in template["Resources"].items() if res["Type"] == resource_type}


def one(template: dict, resource_type: str) -> tuple[str, dict]:
    found = of_type(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {list(found)}"
    return next(iter(found.items()))


def policy_statements(template: dict) -> list[dict]:
    return [s for _, res in of_type(template, "AWS::IAM::Policy").items() for s in res["Properties"]["PolicyDocument"]["Statement"]]
