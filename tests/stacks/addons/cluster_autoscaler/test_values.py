"""cluster-autoscaler Helm values: version pinning per Kubernetes minor, identity, placement, flags."""
from __future__ import annotations

import re

import pytest

from stacks.addons.cluster_autoscaler import (
    SYSTEM_PODS,
    CA_CHART_NAME,
    CA_NAMESPACE,
    CA_SERVICE_ACCOUNT,
    CA_VERSIONS,
    cluster_autoscaler_values,
)
from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from tests.stacks.addons.footprint import requested
from settings import SUPPORTED_KUBERNETES_VERSIONS

KUBERNETES_VERSIONS = SUPPORTED_KUBERNETES_VERSIONS
CLUSTER = "studioml-gpu"
REGION = "eu-central-1"


def values_for(version: str) -> dict:
    return cluster_autoscaler_values(cluster_name=CLUSTER, region=REGION, kubernetes_version=version)


@pytest.fixture(scope="module")
def values() -> dict:
    return values_for("1.35")


def test_every_supported_minor_is_pinned_to_a_release_of_the_same_minor() -> None:
    assert set(CA_VERSIONS) == set(KUBERNETES_VERSIONS)
    for minor, (chart_version, image_tag) in CA_VERSIONS.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", chart_version)
        # The autoscaler's rule: its minor matches the cluster's.
        assert re.fullmatch(rf"v{re.escape(minor)}\.\d+", image_tag), (minor, image_tag)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_values_pin_the_image_of_the_clusters_minor(version: str) -> None:
    image = values_for(version)["image"]
    assert image["tag"] == CA_VERSIONS[version][1]
    assert image["tag"].startswith(f"v{version}.")
    assert image["repository"].endswith("/autoscaling/cluster-autoscaler")


@pytest.mark.parametrize("version", ["1.20", "1.33", "1.37", "", "1.35.0"])
def test_an_unpinned_version_is_refused(version: str) -> None:
    message = f"no cluster-autoscaler release pinned for Kubernetes {version!r}; supported: 1.34, 1.35, 1.36"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        values_for(version)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cluster_name": ""}, "cluster_name must name the EKS cluster"),
        ({"region": ""}, "region must name the cluster's AWS region"),
    ],
)
def test_empty_names_are_refused(kwargs: dict, message: str) -> None:
    arguments = {"cluster_name": CLUSTER, "region": REGION, "kubernetes_version": "1.35", **kwargs}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        cluster_autoscaler_values(**arguments)


def test_constants_the_stack_installs_with() -> None:
    assert (CA_CHART_NAME, CA_NAMESPACE, CA_SERVICE_ACCOUNT) == ("cluster-autoscaler", "kube-system", "cluster-autoscaler")


def test_discovers_the_clusters_nodegroups_by_their_asg_tags(values: dict) -> None:
    assert values["cloudProvider"] == "aws"
    assert values["awsRegion"] == REGION
    assert values["autoDiscovery"]["clusterName"] == CLUSTER
    assert values["autoDiscovery"]["tags"] == ["k8s.io/cluster-autoscaler/enabled", f"k8s.io/cluster-autoscaler/{CLUSTER}"]


def test_service_account_name_is_fixed_for_pod_identity(values: dict) -> None:
    assert values["rbac"]["create"] is True
    assert values["rbac"]["serviceAccount"] == {"create": True, "name": CA_SERVICE_ACCOUNT}


def test_runs_only_on_system_nodes_and_is_critical(values: dict) -> None:
    assert values["nodeSelector"] == SYSTEM_NODE_SELECTOR
    assert values["priorityClassName"] == "system-cluster-critical"


def test_resources_and_hardening(values: dict) -> None:
    assert values["resources"]["requests"]["cpu"]
    assert values["resources"]["requests"]["memory"]
    assert values["resources"]["limits"]["memory"]
    assert "cpu" not in values["resources"]["limits"]
    pod = values["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0
    container = values["containerSecurityContext"]
    assert container["allowPrivilegeEscalation"] is False
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert container["readOnlyRootFilesystem"] is True


def test_flags_for_bursty_gpu_work(values: dict) -> None:
    args = values["extraArgs"]
    assert args["expander"] == "least-waste"
    assert args["balance-similar-node-groups"] is True
    # Without this a GPU node holding the runner's emptyDir /tmp is never removed.
    assert args["skip-nodes-with-local-storage"] is False
    for duration in ("scale-down-unneeded-time", "scale-down-delay-after-add"):
        assert re.fullmatch(r"\d+[smh]", args[duration]), duration
    # 2m, not the default 10m (config/const.go at cluster-autoscaler-1.34.5): with KEDA's 120 s cooldown the idle
    # tail after a burst stays under 5 minutes (make latency).
    assert args["scale-down-unneeded-time"] == "2m"
    assert "scan-interval" not in args  # the default 10 s: config/const.go:55


def test_values_are_fresh_dicts_each_call() -> None:
    first = values_for("1.34")
    first["extraArgs"]["expander"] = "random"
    first["nodeSelector"]["x"] = "y"
    second = values_for("1.34")
    assert second["extraArgs"]["expander"] == "least-waste"
    assert second["nodeSelector"] == SYSTEM_NODE_SELECTOR


def test_its_system_pod_asks_what_the_values_request() -> None:
    (pod,) = SYSTEM_PODS
    resources = cluster_autoscaler_values(cluster_name="c", region="us-west-2", kubernetes_version="1.36")["resources"]
    assert (pod.replicas, pod.cpu_millis, pod.memory_mib) == (1, *requested(resources)) == (1, 100, 300)
