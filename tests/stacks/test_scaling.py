"""Scaling with the queue, as the stack wires it: cluster-autoscaler, ASG node templates, KEDA, queues, managed credentials."""
from __future__ import annotations

import json
import re

import pytest

from domain.queue_match import queue_matches
from tests.kube import find
from tests.synth import kubernetes_manifests, resources

pytestmark = pytest.mark.xdist_group("synth")


def _helm(template, chart):
    found = [r["Properties"] for r in resources(template, "Custom::AWSCDK-EKS-HelmChart").values() if r["Properties"]["Chart"] == chart]
    return found[0] if found else None


def _role_of(template, namespace, service_account):
    (association,) = [r["Properties"] for r in resources(template, "AWS::EKS::PodIdentityAssociation").values()
                      if (r["Properties"]["Namespace"], r["Properties"]["ServiceAccount"]) == (namespace, service_account)]
    role_id = association["RoleArn"]["Fn::GetAtt"][0]
    return [s for r in resources(template, "AWS::IAM::Policy").values() if {"Ref": role_id} in r["Properties"].get("Roles", [])
            for s in r["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement):
    return set(statement["Action"]) if isinstance(statement["Action"], list) else {statement["Action"]}


def _objects(template, kind):
    return [o for objects in kubernetes_manifests(template).values() for o in objects if o["kind"] == kind]


# --- cluster-autoscaler --------------------------------------------------------------------------

# kubernetes/autoscaler: chart cluster-autoscaler 9.59.0 from https://kubernetes.github.io/autoscaler; image tags
# cluster-autoscaler-1.36.1 and -1.35.2 (the newest patch of each minor, 2026-07-23); its README: match the control plane's minor.
CA_CHART = "cluster-autoscaler"
# kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, the recommended policy: the two calls that change
# a group, and the reads auto-discovery and scale-from-zero need (eks:DescribeNodegroup is its own statement below).
SCALING_ACTIONS = {"autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"}
DESCRIBE_ACTIONS = {"autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements"}


def test_autoscaler_is_on_when_there_is_room_to_scale(default, custom, synthesized):
    chart = _helm(default, CA_CHART)
    assert (chart["Repository"], chart["Version"], chart["Namespace"]) == ("https://kubernetes.github.io/autoscaler", "9.59.0",
                                                                           "kube-system")
    values = json.loads(chart["Values"])
    assert values["image"]["tag"] == "v1.36.1"
    assert values["autoDiscovery"]["clusterName"] == "test-eks"
    assert values["nodeSelector"] == {"studio-go-runner/node-pool": "system"}
    arm = json.loads(_helm(synthesized("arm").template(), CA_CHART)["Values"])
    assert arm["image"]["tag"] == "v1.35.2"  # matched to that cluster's version
    assert _helm(custom, CA_CHART) is None  # autoscaling=false


def test_autoscaler_role_scales_only_this_clusters_groups(default):
    statements = _role_of(default, "kube-system", "cluster-autoscaler")
    scaling = [s for s in statements if _actions(s) == SCALING_ACTIONS]
    assert len(scaling) == 1
    assert scaling[0]["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/test-eks": "owned"}}
    assert set().union(*map(_actions, statements)) == DESCRIBE_ACTIONS | SCALING_ACTIONS | {"eks:DescribeNodegroup"}
    (describe_nodegroup,) = [s for s in statements if _actions(s) == {"eks:DescribeNodegroup"}]
    assert ":nodegroup/test-eks/*/*" in json.dumps(describe_nodegroup["Resource"])


def _sdk_call(resource, phase):
    """A Custom::AWS call as the JSON it becomes at deploy time, with GetAtt values shown as <attribute>."""
    value = resource["Properties"][phase]
    parts = value["Fn::Join"][1] if isinstance(value, dict) else [value]
    return json.loads("".join(p if isinstance(p, str) else f"<{p['Fn::GetAtt'][1]}>" for p in parts))


def test_gpu_group_carries_node_template_tags_for_scale_from_zero(scale):
    calls = [_sdk_call(r, "Create") for r in resources(scale, "Custom::AWS").values()]
    (tagging,) = [c for c in calls if c["action"] == "createOrUpdateTags"]
    tags = {t["Key"].removeprefix("k8s.io/cluster-autoscaler/node-template/"): t["Value"] for t in tagging["parameters"]["Tags"]}
    assert tags == {"resources/nvidia.com/gpu": "1", "label/nvidia.com/gpu.present": "true",
                    "label/k8s.amazonaws.com/accelerator": "nvidia", "taint/nvidia.com/gpu": "true:NoSchedule"}
    assert {t["ResourceId"] for t in tagging["parameters"]["Tags"]} == {"<nodegroup.resources.autoScalingGroups.0.name>"}
    assert not any(t["PropagateAtLaunch"] for t in tagging["parameters"]["Tags"])
    assert _sdk_call(next(r for r in resources(scale, "Custom::AWS").values() if "createOrUpdateTags" in json.dumps(r)), "Update") == tagging


# --- KEDA and queues -----------------------------------------------------------------------------

def test_keda_only_with_queues(default, scale):
    # kedacore/charts release v2.21.1, chart `keda`, installed into namespace `keda`.
    assert _helm(default, "keda") is None
    chart = _helm(scale, "keda")
    assert (chart["Version"], chart["Namespace"]) == ("2.21.1", "keda")


def test_keda_role_reads_only_the_listed_queues_attributes(scale):
    (statement,) = _role_of(scale, "keda", "keda-operator")  # the chart's serviceAccount.operator.name
    assert statement["Action"] == "sqs:GetQueueAttributes"
    assert sorted(statement["Resource"]) == ["arn:aws:sqs:us-east-1:123456789012:sqs_eval", "arn:aws:sqs:us-east-1:123456789012:sqs_train"]


def test_scaled_object_triggers_and_bounds(scale):
    (scaled,) = _objects(scale, "ScaledObject")
    spec = scaled["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (0, 3)  # nodesMin=0; runnerMaxReplicas=3
    assert spec["scaleTargetRef"]["name"] == "studioml-go-runner-deployment"
    queues = [t for t in spec["triggers"] if t["type"] == "aws-sqs-queue"]
    urls = [t["metadata"]["queueURL"] for t in queues]
    assert urls == ["https://sqs.us-east-1.amazonaws.com/123456789012/sqs_train", "https://sqs.us-east-1.amazonaws.com/123456789012/sqs_eval"]
    assert {t["metadata"]["queueLength"] for t in queues} == {"2"}


def test_warm_hours_become_a_cron_trigger_in_the_scaled_object(scale):
    # scale sets warmHours="Mon-Fri 08:00-18:00 Europe/Berlin" and warmRunners=2; KEDA's cron scaler fields as
    # kedacore/keda v2.20.2 pkg/scalers/cron_scaler.go reads them.
    (scaled,) = _objects(scale, "ScaledObject")
    (cron,) = [t for t in scaled["spec"]["triggers"] if t["type"] == "cron"]
    assert cron["metadata"] == {"timezone": "Europe/Berlin", "start": "0 8 * * 1,2,3,4,5", "end": "0 18 * * 1,2,3,4,5",
                                "desiredReplicas": "2"}
    assert {t["type"] for t in scaled["spec"]["triggers"]} == {"aws-sqs-queue", "cron"}


def test_keda_owns_the_replica_count(scale, default):
    runner = find(_objects(scale, "Deployment"), "Deployment", "studioml-go-runner-deployment")
    assert "replicas" not in runner["spec"]
    assert find(_objects(default, "Deployment"), "Deployment", "studioml-go-runner-deployment")["spec"]["replicas"] == 1


def test_created_queues_are_encrypted_with_dead_letter_queues(scale):
    queues = {r["Properties"]["QueueName"]: r["Properties"] for r in resources(scale, "AWS::SQS::Queue").values()}
    assert set(queues) == {"sqs_train", "sqs_eval", "dlq_sqs_train", "dlq_sqs_eval"}
    for name in ("sqs_train", "sqs_eval"):
        assert queues[name]["SqsManagedSseEnabled"] is True
        assert queues[name]["RedrivePolicy"]["maxReceiveCount"] == 5
        assert queues[name]["VisibilityTimeout"] == 900


# --- managed runner credentials ------------------------------------------------------------------

def test_managed_user_has_only_the_runners_sqs_actions_on_the_listed_queues(scale):
    (user,) = resources(scale, "AWS::IAM::User").values()
    (group_ref,) = user["Properties"]["Groups"]
    statements = [s for r in resources(scale, "AWS::IAM::Policy").values() if group_ref in r["Properties"].get("Groups", [])
                  for s in r["Properties"]["PolicyDocument"]["Statement"]]
    by_actions = {tuple(sorted(_actions(s))): sorted(s["Resource"]) if isinstance(s["Resource"], list) else s["Resource"]
                  for s in statements}
    assert by_actions == {
        ("sqs:ListQueues",): "*",  # the one call with no queue to name
        ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"):
            ["arn:aws:sqs:us-east-1:123456789012:sqs_eval", "arn:aws:sqs:us-east-1:123456789012:sqs_train"],
    }


def test_external_secrets_may_decrypt_the_managed_secret_through_secrets_manager_only(scale):
    (secret,) = resources(scale, "AWS::SecretsManager::Secret").values()
    key_id = secret["Properties"]["KmsKeyId"]["Fn::GetAtt"][0]
    (association,) = [r["Properties"] for r in resources(scale, "AWS::EKS::PodIdentityAssociation").values()
                      if r["Properties"]["ServiceAccount"] == "external-secrets"]
    role = {"Fn::GetAtt": [association["RoleArn"]["Fn::GetAtt"][0], "Arn"]}
    (decrypt,) = [s for s in scale["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"] if s["Principal"] == {"AWS": role}]
    assert decrypt == {"Action": "kms:Decrypt", "Effect": "Allow", "Principal": {"AWS": role}, "Resource": "*",
                       "Condition": {"StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}}}


def test_managed_secret_is_the_one_external_secrets_reads(scale):
    (secret,) = [r for r in resources(scale, "AWS::SecretsManager::Secret").values()]
    assert secret["Properties"]["Name"] == "studioml-runner/aws-sqs"
    (access_key_id,) = resources(scale, "AWS::IAM::AccessKey")
    value = json.dumps(secret["Properties"]["SecretString"])
    assert f'"Ref": "{access_key_id}"' in value and f'"{access_key_id}", "SecretAccessKey"' in value
    (external,) = _objects(scale, "ExternalSecret")
    assert {d["remoteRef"]["key"] for d in external["spec"]["data"]} == {"studioml-runner/aws-sqs"}


def test_no_access_key_material_anywhere_in_cdk_out(synthesized):
    outdir = synthesized("scale").outdir
    for path in outdir.rglob("*"):
        if path.is_file() and path.suffix != ".zip":
            assert not re.search(rb"AKIA[0-9A-Z]{16}", path.read_bytes()), path
    template = synthesized("scale").template()
    holders = [k for k, r in template["Resources"].items() if "SecretAccessKey" in json.dumps(r)]
    assert [template["Resources"][k]["Type"] for k in holders] == ["AWS::SecretsManager::Secret"]


def test_with_queues_listed_the_runner_serves_exactly_those(scale):
    # The runner lists the region's queues and works on every name QUEUE_MATCH matches (0.14.2: cmd/runner/queues.go
    # refresh compiles it, pkg/aws/sqs.go MatchString on each queue name); with queues listed, its user may read only
    # those (tests/stacks/test_managed_runner_credentials.py), so ^sqs_.*$ would reach queues it gets AccessDenied on.
    objects = [o for objs in kubernetes_manifests(scale).values() for o in objs]
    pattern = find(objects, "ConfigMap", "studioml-env")["data"]["QUEUE_MATCH"]
    assert pattern == "^(?:sqs_train|sqs_eval)$"
    assert [name for name in ("sqs_train", "sqs_eval", "sqs_other", "sqs_train2", "xsqs_eval") if queue_matches(pattern, name)] == [
        "sqs_train", "sqs_eval"]
