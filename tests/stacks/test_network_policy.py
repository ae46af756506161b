"""The runner's namespace and network isolation as the stack applies them, and the add-on that enforces them."""
from __future__ import annotations

import json

import pytest

from tests.kube import find
from tests.synth import kubernetes_manifests, resources

pytestmark = pytest.mark.xdist_group("synth")


def _objects(template):
    return [o for objs in kubernetes_manifests(template).values() for o in objs]


def test_vpc_cni_addon_enforces_network_policies(default):
    """EKS user guide, "Configure your cluster for Kubernetes network policies": the vpc-cni add-on's
    configuration value enableNetworkPolicy "true" turns the network policy agent on."""
    (addon_id, addon), = [(k, r) for k, r in resources(default, "AWS::EKS::Addon").items() if r["Properties"]["AddonName"] == "vpc-cni"]
    assert json.loads(addon["Properties"]["ConfigurationValues"]) == {"enableNetworkPolicy": "true"}
    assert addon["Properties"]["ResolveConflicts"] == "OVERWRITE"  # takes over the self-managed vpc-cni every cluster starts with
    for nodegroup in resources(default, "AWS::EKS::Nodegroup").values():  # nodes join with the agent already on
        assert addon_id in nodegroup["DependsOn"]


def test_auto_mode_enforces_them_through_the_same_add_ons_config_map(automode):
    """Auto Mode ignores the add-on's settings for its own nodes (user guide, auto-networking), but its network policy
    controller is switched on by ConfigMap kube-system/amazon-vpc-cni, enable-network-policy-controller: "true" (user
    guide, "Use Network Policies with EKS Auto Mode", Step 1; the NodeClass step is optional, and the built-in NodeClass's
    networkPolicy is DefaultAllow, so explicit policies such as ours are enforced). The vpc-cni add-on renders exactly that
    key from enableNetworkPolicy (aws/amazon-vpc-cni-k8s charts/aws-vpc-cni/templates/configmap.yaml, the same at v1.18.3
    and v1.23.0), and its aws-node DaemonSet stays off Auto Mode nodes (values.yaml affinity, compute-type NotIn auto,
    from v1.19.0): so in Auto Mode the add-on is the ConfigMap's owner and nothing else."""
    (addon,) = [r for r in resources(automode, "AWS::EKS::Addon").values() if r["Properties"]["AddonName"] == "vpc-cni"]
    assert json.loads(addon["Properties"]["ConfigurationValues"]) == {"enableNetworkPolicy": "true"}
    assert not [o for o in _objects(automode) if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "amazon-vpc-cni"]


def test_runner_lives_in_studioml_by_default(default):
    objects = _objects(default)
    namespace = find(objects, "Namespace", "studioml")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "baseline"
    deployment = find(objects, "Deployment", "studioml-go-runner-deployment")
    assert deployment["metadata"]["namespace"] == "studioml"
    assert find(objects, "Job", "gpu-smoke-test")["metadata"]["namespace"] == "studioml"


def test_every_pod_of_ours_in_the_runner_namespace_is_behind_the_deny_ingress_policy(scale):
    objects = _objects(scale)
    policy = find(objects, "NetworkPolicy", "studioml-deny-ingress")
    (expression,) = policy["spec"]["podSelector"]["matchExpressions"]
    selected = set(expression["values"])
    templates = [o["spec"]["template"] for o in objects if o["kind"] in ("Deployment", "Job")]
    templates += [o["spec"]["jobTemplate"]["spec"]["template"] for o in objects if o["kind"] == "CronJob"]
    pods = [o for o in objects if o["kind"] == "Pod"]
    ours = {t["metadata"]["labels"]["app"] for t in templates} | {p["metadata"]["labels"]["app"] for p in pods}
    assert len(ours) == 5 and ours <= selected  # runner, smoke test, tf-gpu, nvidia-smi, ECR refresh
    assert policy["spec"]["policyTypes"] == ["Ingress"] and "ingress" not in policy["spec"]


def test_namespace_default_is_neither_created_nor_labelled_but_still_protected(arm):
    objects = _objects(arm)  # namespace=default: the runbook's place
    assert [o for o in objects if o["kind"] == "Namespace"] == []
    assert find(objects, "NetworkPolicy", "studioml-deny-ingress")["metadata"]["namespace"] == "default"
    assert find(objects, "Deployment", "studioml-go-runner-deployment")["metadata"]["namespace"] == "default"
