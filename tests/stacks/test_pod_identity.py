"""Every Pod Identity role trusts only its own service account on this cluster, in this account.

EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity": Pod Identity assumes the role
with sts:AssumeRole and sts:TagSession, and the session tags it sets (eks-cluster-arn, kubernetes-namespace,
kubernetes-service-account, ...) can be required in the trust policy with aws:RequestTag conditions; without
them any association in the account may use the role. aws:SourceAccount is the cross-service confused-deputy
guard (IAM user guide, "The confused deputy problem").
"""
from __future__ import annotations

import pytest

from tests.synth import resources

pytestmark = pytest.mark.xdist_group("synth")


def _trust_document(template, service_account):
    (association,) = [r["Properties"] for r in resources(template, "AWS::EKS::PodIdentityAssociation").values()
                      if r["Properties"]["ServiceAccount"] == service_account]
    role_id = association["RoleArn"]["Fn::GetAtt"][0]
    return association, template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]


def _cluster_id(template):
    (cluster_id,) = resources(template, "AWS::EKS::Cluster")
    return cluster_id


def _expected(template, namespace, service_account, account):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {
                "aws:RequestTag/eks-cluster-arn": {"Fn::GetAtt": [_cluster_id(template), "Arn"]},
                "aws:RequestTag/kubernetes-namespace": namespace,
                "aws:RequestTag/kubernetes-service-account": service_account,
                "aws:SourceAccount": account,
            }},
        }],
    }


def test_external_secrets_role_trust_document(default):
    association, document = _trust_document(default, "external-secrets")
    assert association["Namespace"] == "external-secrets"
    # An environment-agnostic stack: the account is the deploying account, resolved by CloudFormation.
    assert document == _expected(default, "external-secrets", "external-secrets", {"Ref": "AWS::AccountId"})


@pytest.mark.parametrize("namespace, service_account", [
    ("studioml", "studioml-go-runner-ecr-cred"),
    ("keda", "keda-operator"),
    ("kube-system", "cluster-autoscaler"),
    ("external-secrets", "external-secrets"),
])
def test_every_role_of_the_all_features_synth_trusts_only_its_service_account(scale, namespace, service_account):
    association, document = _trust_document(scale, service_account)
    assert association["Namespace"] == namespace
    assert document == _expected(scale, namespace, service_account, "123456789012")


def test_no_pod_identity_role_is_left_open(scale, default, custom):
    for template in (default, custom, scale):
        for association in resources(template, "AWS::EKS::PodIdentityAssociation").values():
            props = association["Properties"]
            _, document = _trust_document(template, props["ServiceAccount"])
            assert [s["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] for s in document["Statement"]] == [
                props["ServiceAccount"]]
