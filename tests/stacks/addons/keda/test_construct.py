"""KEDA as its own construct, in a bare stack: its release, the queues it may read, what it waits for."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from stacks.addons.keda import keda_values
from stacks.addons.keda.construct import Keda, keda_identity
from tests.stacks.addons.bare_stack import (CLUSTER_NAME, assert_release_waits_for_its_association_and_nodes, one,
                                           pod_identity_target, policy_statements, synth_bare)

QUEUES = ["sqs_train", "sqs_eval"]


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    def build(stack, cluster, nodes):
        identity = keda_identity(stack, "Identity", cluster=cluster, agent=None)
        return Keda(stack, "Keda", cluster=cluster, identity=identity, region="eu-west-1", queues=QUEUES,
                    values=keda_values(watch_namespace="studioml"), after=[nodes])
    stack, keda, template = synth_bare(tmp_path_factory.mktemp("keda"), build)
    return SimpleNamespace(stack=stack, keda=keda, template=template)


def test_release_is_the_pinned_chart_waiting_for_its_pods(bare):
    _, release = one(bare.template, "Custom::AWSCDK-EKS-HelmChart")
    props = release["Properties"]
    # kedacore/charts release v2.21.1, from the repository its README names.
    assert (props["Chart"], props["Repository"], props["Version"]) == ("keda", "https://kedacore.github.io/charts", "2.21.1")
    assert (props["Namespace"], props["Release"], props["Wait"]) == ("keda", "keda", True)
    assert json.loads(props["Values"])["watchNamespace"] == "studioml"


def test_release_waits_for_the_association_and_the_nodes(bare):
    assert_release_waits_for_its_association_and_nodes(bare.stack, bare.template, bare.keda.release)


def test_association_is_the_operators_service_account(bare):
    assert pod_identity_target(bare.template) == (CLUSTER_NAME, "keda", "keda-operator")


def test_role_reads_the_listed_queues_attributes_only(bare):
    (statement,) = policy_statements(bare.template)
    assert statement["Action"] == "sqs:GetQueueAttributes"
    resources = [json.dumps(resource) for resource in statement["Resource"]]
    assert len(resources) == len(QUEUES)
    for resource, queue in zip(resources, QUEUES, strict=True):
        assert ":sqs:eu-west-1:123456789012:" + queue in resource
