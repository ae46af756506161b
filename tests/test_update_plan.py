"""`make plan`'s engine on small templates: the CDK diff engine's verdicts, refined by CloudFormation's registry schemas.

What each case holds comes from CloudFormation itself: AWS::EKS::Nodegroup's createOnlyProperties (InstanceTypes,
NodegroupName, NodeRole, ...), AWS::EKS::Cluster's (KubernetesNetworkConfig/IpFamily, not ElasticLoadBalancing), the
"Name type" rule (a custom-named resource cannot be replaced under its name), DeletionPolicy on removal, and EKS's
UpdateClusterVersion, which moves one minor up at a time.
"""
from __future__ import annotations

import copy
import json
import subprocess

import pytest

from scripts import update_plan
from scripts.update_plan import ResourceChange, name_properties, plan

ROLE = {"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "nodes", "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                     "Principal": {"Service": "ec2.amazonaws.com"}}]}}}
NODEGROUP = {"Type": "AWS::EKS::Nodegroup", "Properties": {
    "ClusterName": "lab", "NodegroupName": "gpus-aaaaaaaa", "InstanceTypes": ["g4dn.xlarge"], "Subnets": ["subnet-1"],
    "NodeRole": {"Fn::GetAtt": ["Role", "Arn"]}, "Version": "1.35"}}
CLUSTER = {"Type": "AWS::EKS::Cluster", "Properties": {
    "Name": "lab", "Version": "1.35", "RoleArn": "arn:aws:iam::123456789012:role/eks", "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]},
    "KubernetesNetworkConfig": {"IpFamily": "ipv4", "ElasticLoadBalancing": {"Enabled": False}}}}
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "sqs_train"}}
MANIFEST = {"Type": "Custom::AWSCDK-EKS-KubernetesResource", "Properties": {"ServiceToken": "arn:token", "Manifest": "[]"}}


def _template(**resources):
    return {"Resources": copy.deepcopy(resources)}


def _with(resource, **properties):
    changed = copy.deepcopy(resource)
    changed["Properties"].update(properties)
    return changed


IPV4_WITH_LOAD_BALANCING = {"IpFamily": "ipv4", "ElasticLoadBalancing": {"Enabled": True}}
IPV6 = {"IpFamily": "ipv6", "ElasticLoadBalancing": {"Enabled": False}}
METADATA = {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:a"}}

# Every (deployed, next) pair the tests below read, planned in one run of the diff engine.
PAIRS = {
    "instance types, same name": (_template(Role=ROLE, Nodes=NODEGROUP),
                                  _template(Role=ROLE, Nodes=_with(NODEGROUP, InstanceTypes=["g5.xlarge"]))),
    "instance types, new name": (_template(Role=ROLE, Nodes=NODEGROUP),
                                 _template(Role=ROLE, Nodes=_with(NODEGROUP, InstanceTypes=["g5.xlarge"], NodegroupName="gpus-bbbbbbbb"))),
    "role renamed": (_template(Role=ROLE, Nodes=NODEGROUP), _template(Role=_with(ROLE, RoleName="nodes-2"), Nodes=NODEGROUP)),
    "load balancing on": (_template(Cluster=CLUSTER), _template(Cluster=_with(CLUSTER, KubernetesNetworkConfig=IPV4_WITH_LOAD_BALANCING))),
    "ipv6": (_template(Cluster=CLUSTER), _template(Cluster=_with(CLUSTER, KubernetesNetworkConfig=IPV6))),
    **{f"{old} -> {new}": (_template(Cluster=_with(CLUSTER, Version=old)), _template(Cluster=_with(CLUSTER, Version=new)))
       for old, new in (("1.35", "1.36"), ("1.34", "1.36"), ("1.36", "1.35"))},
    "queue removed": (_template(Queue=QUEUE), _template()),
    "kept queue removed": (_template(Queue={**QUEUE, "DeletionPolicy": "Retain"}), _template()),
    "manifest and metadata": (_template(Manifest=MANIFEST, CDKMetadata=METADATA),
                              _template(Manifest=_with(MANIFEST, Manifest="[{}]"), CDKMetadata=_with(METADATA, Analytics="v2:b"))),
}


@pytest.fixture(scope="module")
def planned() -> dict[str, dict[str, ResourceChange]]:
    return {name: {c.logical_id: c for c in changes} for name, changes in zip(PAIRS, plan(list(PAIRS.values())), strict=True)}


def test_a_create_only_change_under_the_same_custom_name_is_refused(planned):
    change = planned["instance types, same name"]["Nodes"]
    assert (change.action, change.replacing, change.collision, change.fails, change.stops) == (
        "replace", ("InstanceTypes",), ("NodegroupName",), True, True)


def test_a_replacement_under_a_new_name_goes_ahead_new_before_old(planned):
    change = planned["instance types, new name"]["Nodes"]
    assert (change.action, change.fails, change.stops, change.name_change) == ("replace", False, False, "gpus-aaaaaaaa -> gpus-bbbbbbbb")
    assert "the new one created before the old is deleted" in change.sentence()


def test_a_replaced_resource_replaces_what_refers_to_it_in_a_create_only_property(planned):
    # A new role name is a new role, with a new ARN: NodeRole is create-only, so the nodegroup is replaced too, and under its
    # unchanged name CloudFormation refuses. The engine's own propagation is replaced by one that follows the schema.
    changes = planned["role renamed"]
    assert changes["Role"].action == "replace" and not changes["Role"].fails
    assert changes["Nodes"].replacing == ("NodeRole",) and changes["Nodes"].fails


def test_an_updatable_part_of_a_partly_create_only_property_updates_in_place(planned):
    # Turning on Auto Mode's load balancing changes KubernetesNetworkConfig, whose create-only parts are IpFamily and
    # ServiceIpv4Cidr only: the cluster is updated, not replaced (the engine alone would say replace).
    assert planned["load balancing on"]["Cluster"].action == "update"
    cluster = planned["ipv6"]["Cluster"]
    assert cluster.action == "replace" and cluster.fails and cluster.holds == "the cluster and everything running in it"


@pytest.mark.parametrize("pair, refused", [("1.35 -> 1.36", False), ("1.34 -> 1.36", True), ("1.36 -> 1.35", True)])
def test_eks_moves_one_minor_up_at_a_time(pair, refused, planned):
    change = planned[pair]["Cluster"]
    assert change.action == "update" and change.fails is refused


def test_removing_a_queue_loses_its_messages_unless_it_is_kept(planned):
    deleted = planned["queue removed"]["Queue"]
    assert (deleted.action, deleted.stops, deleted.holds) == ("delete", True, "the messages waiting in it")
    kept = planned["kept queue removed"]["Queue"]
    assert (kept.action, kept.stops) == ("keep", False)


def test_a_custom_resource_change_is_an_update_and_cdk_metadata_is_no_change(planned):
    assert [(c.logical_id, c.action) for c in planned["manifest and metadata"].values()] == [("Manifest", "update")]


def test_names_come_from_the_registry_schemas():
    assert name_properties("AWS::EKS::Nodegroup") == ("NodegroupName",)  # its primary identifier, Id, is read-only
    assert name_properties("AWS::SQS::Queue") == ("QueueName",)
    assert name_properties("AWS::EKS::Addon") == ("AddonName", "ClusterName")
    assert name_properties("AWS::EC2::KeyPair") == ("KeyName",)
    assert name_properties("AWS::KMS::Key") == ()
    assert name_properties("Custom::Anything") == ()


def test_the_diff_engine_runs_on_package_jsons_node_whatever_the_path(monkeypatch):
    # The pipeline's plan check runs scripts/plan.py without make, so without node_modules/.bin first on PATH.
    pinned = json.loads((update_plan.ROOT / "package.json").read_text())["devDependencies"]["node"]
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    ran = []
    real_run = subprocess.run

    def run(args, **kwargs):
        ran.append(args)
        return real_run(args, **kwargs)
    monkeypatch.setattr(update_plan.subprocess, "run", run)
    update_plan.engine_changes([(_template(), _template())])
    assert [args[0] for args in ran] == [str(update_plan.NODE)]
    assert real_run([str(update_plan.NODE), "--version"], capture_output=True, text=True, check=True).stdout.strip() == f"v{pinned}"
