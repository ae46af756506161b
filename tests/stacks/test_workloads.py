"""The charts as the stack applies them: which manifests, in what order, with which AWS pieces beside them."""
from __future__ import annotations

import json
from typing import get_args

import pytest
import yaml

from stacks.addons import Workload
from tests.conftest import CONFIGURATIONS, KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict
from tests.synth import kubernetes_manifests, resources

pytestmark = pytest.mark.xdist_group("synth")

PRUNE_LABEL_PREFIX = "aws.cdk.eks/prune-"


def _manifest_of(template, construct_name):
    """Objects of the KubernetesManifest whose logical id starts with Workloads<construct_name>Manifest."""
    found = {k: v for k, v in kubernetes_manifests(template).items() if k.startswith(f"Workloads{construct_name}Manifest")}
    assert len(found) == 1, f"no manifest {construct_name}: {list(kubernetes_manifests(template))}"
    return next(iter(found.values()))


def _manifest_ids(template):
    return {k.split("Manifest")[0].removeprefix("Workloads"): k for k in kubernetes_manifests(template)}


def _depends_on(template, logical_id):
    return set(template["Resources"][logical_id].get("DependsOn", []))


def _without_prune_labels(objects):
    cleaned = json.loads(json.dumps(objects))
    for obj in cleaned:
        labels = obj["metadata"].get("labels", {})
        for key in [k for k in labels if k.startswith(PRUNE_LABEL_PREFIX)]:
            del labels[key]
        if not labels:
            obj["metadata"].pop("labels", None)
    return cleaned


# --- which manifests, in which order -----------------------------------------------------------

def test_default_applies_device_plugin_checks_secret_and_runner(default):
    assert set(_manifest_ids(default)) == {"RunnerNamespace", "DevicePlugin", "GpuChecks", "SqsCredentials", "Runner", "GpuVerifierRbac"}


def test_custom_applies_namespace_and_ecr_refresh_and_no_secret(custom):
    assert set(_manifest_ids(custom)) == {"RunnerNamespace", "DevicePlugin", "GpuChecks", "EcrCredentialRefresh", "Runner",
                                          "GpuVerifierRbac"}


def test_bottlerocket_gets_no_device_plugin(arm):
    assert "DevicePlugin" not in _manifest_ids(arm)


def test_order_nodes_then_device_plugin_then_checks(default):
    ids = _manifest_ids(default)
    nodegroups = set(resources(default, "AWS::EKS::Nodegroup"))
    assert nodegroups <= _depends_on(default, ids["DevicePlugin"])
    assert {ids["DevicePlugin"]} | nodegroups <= _depends_on(default, ids["GpuChecks"])


def test_order_namespace_and_secrets_before_the_runner(default, custom):
    ids = _manifest_ids(default)
    assert ids["SqsCredentials"] in _depends_on(default, ids["Runner"])
    (eso,) = [k for k, r in resources(default, "Custom::AWSCDK-EKS-HelmChart").items() if r["Properties"]["Chart"] == "external-secrets"]
    assert eso in _depends_on(default, ids["SqsCredentials"])
    ids = _manifest_ids(custom)
    for chart in ("GpuChecks", "EcrCredentialRefresh", "Runner"):
        assert ids["RunnerNamespace"] in _depends_on(custom, ids[chart]), chart
    assert ids["EcrCredentialRefresh"] in _depends_on(custom, ids["Runner"])


def test_manifests_in_the_template_are_the_charts_output(synthesized):
    for config in CONFIGURATIONS:
        result = synthesized(config)
        applied = {key: _without_prune_labels(objs) for key, objs in kubernetes_manifests(result.template()).items()}
        written = {path.name: list(yaml.safe_load_all(path.read_text())) for path in sorted(result.manifests_dir.glob("*.k8s.yaml"))}
        assert sorted(map(json.dumps, applied.values())) == sorted(map(json.dumps, written.values())), config


def test_dist_files_are_numbered_in_apply_order(synthesized):
    files = sorted(p.name for p in synthesized("custom").manifests_dir.glob("*.k8s.yaml"))
    assert files == ["00-runner-namespace.k8s.yaml", "01-device-plugin.k8s.yaml", "02-gpu-checks.k8s.yaml",
                     "03-ecr-credential-refresh.k8s.yaml", "04-runner.k8s.yaml", "05-gpu-verifier-rbac.k8s.yaml"]


def test_an_add_on_can_name_every_chart_of_the_runners(synthesized):
    # The names an add-on's `before` may list are those the workloads apply (the all-features configuration applies each).
    files = {p.name.split("-", 1)[1].removesuffix(".k8s.yaml") for p in synthesized("scale").manifests_dir.glob("*.k8s.yaml")}
    assert set(get_args(Workload)) == files - {"runner-namespace", "device-plugin"}  # applied by the stack and an add-on


def test_the_runners_charts_wait_for_the_add_ons_that_name_them(scale):
    ids = _manifest_ids(scale)
    helm = {r["Properties"]["Chart"]: k for k, r in resources(scale, "Custom::AWSCDK-EKS-HelmChart").items()}
    assert ids["DevicePlugin"] in _depends_on(scale, ids["GpuChecks"])
    assert helm["external-secrets"] in _depends_on(scale, ids["SqsCredentials"])
    assert helm["keda"] in _depends_on(scale, ids["QueueScaling"])
    assert not {ids["DevicePlugin"], helm["external-secrets"], helm["keda"]} & _depends_on(scale, ids["Runner"])


def test_every_object_is_valid_for_the_clusters_kubernetes_version(synthesized):
    for config in CONFIGURATIONS:
        objects = [o for objs in kubernetes_manifests(synthesized(config).template()).values() for o in objs]
        validate_strict(objects, KUBERNETES_VERSIONS[config])


# --- settings reach the objects ----------------------------------------------------------------

def test_device_plugin_version_and_gpu_checks(default, custom):
    plugin = find(_manifest_of(default, "DevicePlugin"), "DaemonSet", "nvidia-device-plugin-daemonset")
    assert plugin["spec"]["template"]["spec"]["containers"][0]["image"] == "nvcr.io/nvidia/k8s-device-plugin:v0.20.0"
    assert names(_manifest_of(default, "GpuChecks")) == ["Job/gpu-smoke-test"]
    assert sorted(names(_manifest_of(custom, "GpuChecks"))) == ["Job/gpu-smoke-test", "Pod/nvidia-smi", "Pod/tf-gpu"]
    tf = find(_manifest_of(custom, "GpuChecks"), "Pod", "tf-gpu")
    assert ".dkr.ecr.eu-west-1.amazonaws.com/tensorflow-training:" in tf["spec"]["containers"][0]["image"]


def test_runner_settings_reach_the_deployment(default, custom):
    deployment = find(_manifest_of(custom, "Runner"), "Deployment", "studioml-go-runner-deployment")
    assert deployment["metadata"]["namespace"] == "studioml"
    assert deployment["spec"]["replicas"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/studio-go-runner:0.14.2"
    assert container["resources"]["limits"] == {"nvidia.com/gpu": "1", "cpu": "3", "memory": "10Gi"}
    sqs_volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "aws-sqs")
    assert sqs_volume["secret"]["optional"] is True  # sqsCredentials=none
    env = find(_manifest_of(custom, "Runner"), "ConfigMap", "studioml-env")["data"]
    assert (env["CLEAR_TEXT_MESSAGES"], env["K8S_NAMESPACE"]) == ("false", "studioml")
    default_deployment = find(_manifest_of(default, "Runner"), "Deployment", "studioml-go-runner-deployment")
    assert default_deployment["spec"]["replicas"] == 1
    assert next(v for v in default_deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "aws-sqs")["secret"]["optional"] is False


def test_ecr_refresh_targets_the_images_registry(custom, default):
    cron = find(_manifest_of(custom, "EcrCredentialRefresh"), "CronJob", "studioml-go-runner-ecr-cred")
    assert "123456789012.dkr.ecr.eu-west-1.amazonaws.com" in json.dumps(cron)
    assert "EcrCredentialRefresh" not in _manifest_ids(default)  # public quay.io image: nothing to refresh


# --- AWS pieces beside the charts --------------------------------------------------------------

def _pod_identity(template, service_account):
    associations = [r["Properties"] for r in resources(template, "AWS::EKS::PodIdentityAssociation").values()
                    if r["Properties"]["ServiceAccount"] == service_account]
    assert len(associations) == 1, service_account
    role_id = associations[0]["RoleArn"]["Fn::GetAtt"][0]
    policies = [r["Properties"]["PolicyDocument"]["Statement"] for r in resources(template, "AWS::IAM::Policy").values()
                if {"Ref": role_id} in r["Properties"]["Roles"]]
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return associations[0], [s for statements in policies for s in statements], trust


def _helm_chart(template, name):
    (chart,) = [r["Properties"] for r in resources(template, "Custom::AWSCDK-EKS-HelmChart").values() if r["Properties"]["Chart"] == name]
    return chart


def test_external_secrets_operator_helm_chart(default):
    # external-secrets' chart `external-secrets` from https://charts.external-secrets.io (its install docs), release 2.14.0
    # for Kubernetes 1.36 (stability-support.md rows 2.8 and 2.9); the service account is named in the values.
    chart = _helm_chart(default, "external-secrets")
    assert (chart["Chart"], chart["Repository"], chart["Version"], chart["Namespace"]) == (
        "external-secrets", "https://charts.external-secrets.io", "2.14.0", "external-secrets")  # the release pinned for 1.36
    assert chart["Wait"] is True and chart["CreateNamespace"] is True
    values = json.loads(chart["Values"])
    assert values["serviceAccount"]["name"] == "external-secrets"
    assert values["scopedNamespace"] == "studioml" and values["scopedRBAC"] is True
    assert values["nodeSelector"] == values["webhook"]["nodeSelector"] == {"studio-go-runner/node-pool": "system"}


def test_external_secrets_role_reads_only_the_one_secret(default):
    association, statements, trust = _pod_identity(default, "external-secrets")
    assert association["Namespace"] == "external-secrets"
    assert statements == [{
        "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", ["arn:aws:secretsmanager:us-west-2:", {"Ref": "AWS::AccountId"},
                                       ":secret:studioml-runner/aws-sqs-??????"]]},
    }]
    actions = {a for s in trust for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert actions == {"sts:AssumeRole", "sts:TagSession"}
    assert all(s["Principal"] == {"Service": "pods.eks.amazonaws.com"} for s in trust)


def test_ecr_refresh_role_may_pull_the_runner_repository_only(custom):
    # The token from GetAuthorizationToken carries the caller's permissions (ECR user guide, "Private
    # registry authentication"; "Amazon ECR repository policies"): a pull needs ecr:BatchGetImage and
    # ecr:GetDownloadUrlForLayer (and BatchCheckLayerAvailability) on the repository, for the token's principal.
    association, statements, _ = _pod_identity(custom, "studioml-go-runner-ecr-cred")
    assert association["Namespace"] == "studioml"
    assert statements == [
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
        {"Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Effect": "Allow",
         "Resource": "arn:aws:ecr:eu-west-1:123456789012:repository/ml/studio-go-runner"},
    ]
    assert resources(custom, "Custom::AWSCDK-EKS-HelmChart") == {}  # no ESO (sqsCredentials=none), no autoscaler


def test_pod_identity_agent_addon(default):
    addons = sorted(r["Properties"]["AddonName"] for r in resources(default, "AWS::EKS::Addon").values())
    # and the observability add-ons, asserted in tests/stacks/test_observability.py
    assert addons == ["amazon-cloudwatch-observability", "eks-node-monitoring-agent", "eks-pod-identity-agent", "vpc-cni"]


def test_verify_gpu_on_deploy_waits_for_the_smoke_test(custom, default):
    (wait,) = resources(custom, "Custom::AWSCDK-EKS-KubernetesObjectValue").values()
    props = wait["Properties"]
    assert (props["ObjectType"], props["ObjectName"], props["ObjectNamespace"], props["JsonPath"]) == (
        "job", "gpu-smoke-test", "studioml", ".status.succeeded")
    assert _manifest_ids(custom)["GpuChecks"] in wait["DependsOn"]
    assert "GpuSmokeTest" in "".join(custom["Outputs"])
    assert resources(default, "Custom::AWSCDK-EKS-KubernetesObjectValue") == {}
