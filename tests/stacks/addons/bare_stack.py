"""A bare stack for what is under test: its own app, no app settings; for an add-on, an imported cluster and kubectl
provider, no network or nodes. Synthesized with cdk-nag, as app.py synthesizes: a finding nobody acknowledged raises."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Mapping

import aws_cdk as cdk
import cdk_nag
from aws_cdk import aws_ec2 as ec2, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct

ENV = cdk.Environment(account="123456789012", region="us-west-2")
CLUSTER_NAME = "studio"
KUBECTL_HANDLER = "arn:aws:lambda:us-west-2:123456789012:function:kubectl-handler"


def synth_with_nag(outdir: Path, build: Callable[[cdk.Stack], Mapping[str, Any]], stack_id: str = "Test") -> SimpleNamespace:
    """Runs `build(stack)` in stack `stack_id` of its own app and synthesizes it with cdk-nag; RuntimeError
    (ValidationFailed) on an unacknowledged finding. Returns the stack, what `build` returned by name, the outdir,
    the template and the validation report."""
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, stack_id, env=ENV)
    built = build(stack)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    app.synth()
    return SimpleNamespace(stack=stack, **built, outdir=outdir, template=json.loads((outdir / f"{stack_id}.template.json").read_text()),
                           report=json.loads((outdir / "validation-report.json").read_text()))


def synth_bare(outdir: Path, build: Callable[[cdk.Stack, eks.ICluster, Construct], Any]) -> tuple[cdk.Stack, Any, dict]:
    """Runs `build(stack, cluster, nodes)` for an add-on in a bare stack with cdk-nag; the stack, what it built, the template."""
    def with_cluster(stack: cdk.Stack) -> dict[str, Any]:
        cluster = imported_cluster(stack)
        nodes = Construct(stack, "Nodes")  # what the add-on must wait for, standing in for the nodegroups
        return {"built": build(stack, cluster, nodes)}
    synthesized = synth_with_nag(outdir, with_cluster, stack_id="Bare")
    return synthesized.stack, synthesized.built, synthesized.template


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


def assert_release_waits_for_its_association_and_nodes(stack: cdk.Stack, template: dict, release: Construct) -> None:
    """What every add-on's Helm release must wait for (stacks/addons/helm.py): its Pod Identity association (a pod
    gets credentials only if the association exists when it starts), and `Nodes`, standing in for what `after` names
    (a construct with no resources here, so recorded on the construct tree)."""
    _, resource = one(template, "Custom::AWSCDK-EKS-HelmChart")
    association, _ = one(template, "AWS::EKS::PodIdentityAssociation")
    assert association in resource["DependsOn"]
    assert stack.node.find_child("Nodes") in release.node.dependencies


def pod_identity_target(template: dict) -> tuple[str, str, str]:
    """(cluster, namespace, service account) of the stack's one Pod Identity association."""
    _, association = one(template, "AWS::EKS::PodIdentityAssociation")
    props = association["Properties"]
    return props["ClusterName"], props["Namespace"], props["ServiceAccount"]
