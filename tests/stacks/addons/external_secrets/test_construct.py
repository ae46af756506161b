"""External Secrets Operator as its own construct, in a bare stack: its release, its one secret, what it waits for."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from stacks.addons.external_secrets import eso_helm_values
from stacks.addons.external_secrets.construct import ExternalSecretsOperator, external_secrets_identity, external_secrets_release
from tests.stacks.addons.bare_stack import (CLUSTER_NAME, assert_release_waits_for_its_association_and_nodes, one,
                                           pod_identity_target, policy_statements, synth_bare)

SECRET_NAME = "studioml-runner/aws-sqs"


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    def build(stack, cluster, nodes):
        identity = external_secrets_identity(stack, "Identity", cluster=cluster, agent=None)
        return ExternalSecretsOperator(stack, "ExternalSecrets", cluster=cluster, identity=identity, secret_name=SECRET_NAME,
                                       values=eso_helm_values(scoped_namespace="studioml"), after=[nodes],
                                       release=external_secrets_release("1.35"))
    stack, operator, template = synth_bare(tmp_path_factory.mktemp("eso"), build)
    return SimpleNamespace(stack=stack, operator=operator, template=template)


def test_release_is_the_pinned_chart_waiting_for_its_pods(bare):
    _, release = one(bare.template, "Custom::AWSCDK-EKS-HelmChart")
    props = release["Properties"]
    # The release pinned for the cluster's minor (stacks/addons/external_secrets): 2.8.0 lists 1.35.
    # The chart repository external-secrets' README names.
    assert (props["Chart"], props["Repository"], props["Version"]) == ("external-secrets", "https://charts.external-secrets.io", "2.8.0")
    assert (props["Namespace"], props["Release"], props["Wait"]) == ("external-secrets", "external-secrets", True)
    assert json.loads(props["Values"])["scopedNamespace"] == "studioml"


def test_release_waits_for_the_association_and_the_nodes(bare):
    assert_release_waits_for_its_association_and_nodes(bare.stack, bare.template, bare.operator.release)


def test_association_is_the_operators_service_account(bare):
    assert pod_identity_target(bare.template) == (CLUSTER_NAME, "external-secrets", "external-secrets")


def test_role_reads_the_one_secret_only(bare):
    (statement,) = policy_statements(bare.template)
    assert sorted(statement["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    # Secrets Manager appends `-` and six random characters to the secret's name in its ARN.
    assert json.dumps(statement["Resource"]).endswith(f':secret:{SECRET_NAME}-??????"]]}}')
