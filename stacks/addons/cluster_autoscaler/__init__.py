"""cluster-autoscaler, so GPU nodes exist only while there is work: what it is (this module) and how it is built (construct.py).

A managed nodegroup's min/max do nothing by themselves. cluster-autoscaler adds a GPU node when a
runner pod is Pending for lack of a GPU and removes it once it is idle. It finds the nodegroups by
the ASG tags `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster-name>`,
which EKS managed nodegroups carry. The stack installs this chart and gives the service account an
EKS Pod Identity role (the association is keyed on namespace + service account name).

Plain data only, so settings can size the system nodes from it: the construct, its policy and the node-template tags
(construct.py, policy.py, node_template_tags.py) import aws-cdk-lib.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from domain.component_versions import Component
from domain.system_pods import SystemPod
from stacks.addons import AddOn, Choices

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.install_plan import Site

CA_CHART_REPOSITORY = "https://kubernetes.github.io/autoscaler"
CA_CHART_NAME = "cluster-autoscaler"
CA_NAMESPACE = "kube-system"
CA_SERVICE_ACCOUNT = "cluster-autoscaler"
CA_IMAGE_REPOSITORY = "registry.k8s.io/autoscaling/cluster-autoscaler"

# The autoscaler's own rule: run the release whose minor matches the cluster's; it is tested
# against that Kubernetes minor only (its README: use the CA minor of the control plane). The chart's templates do
# not depend on the minor, so every minor uses the newest chart, 9.59.0 (August 2026), and pins the image tag: that
# chart's default appVersion is still 1.35.0, and no chart yet defaults to a 1.36 image.
# Image tags are the newest patch release of each minor (all three published 2026-07-23):
# cluster-autoscaler-1.34.5, -1.35.2 and -1.36.1.
CLUSTER_AUTOSCALER_CHART_VERSION = "9.59.0"
CLUSTER_AUTOSCALER = {
    minor: Component("cluster-autoscaler", tag, (minor,), f"kubernetes/autoscaler tag cluster-autoscaler-{tag[1:]}")
    for minor, tag in (("1.34", "v1.34.5"), ("1.35", "v1.35.2"), ("1.36", "v1.36.1"))
}
CA_VERSIONS: dict[str, tuple[str, str]] = {
    minor: (CLUSTER_AUTOSCALER_CHART_VERSION, component.version) for minor, component in CLUSTER_AUTOSCALER.items()
}

# The image is distroless `nonroot` (uid/gid 65532); set numerically so runAsNonRoot can be verified.
_NONROOT_ID = 65532

# Flags for bursty, long GPU work; each says why. The chart adds its own logging flags.
_EXTRA_ARGS: dict[str, Any] = {
    # Of the nodegroups that fit a Pending runner, pick the one leaving the least idle CPU and
    # memory: with several GPU instance types this avoids a big node for one small task.
    "expander": "least-waste",
    # Keep nodegroups that differ only by zone at the same size, so a zone outage or a zone
    # without capacity does not take all the GPUs.
    "balance-similar-node-groups": True,
    # The runner's /tmp is an emptyDir. By default a node with an emptyDir pod is never drained,
    # so a GPU node that still holds a (finished, idle) runner would never be removed.
    "skip-nodes-with-local-storage": False,
    # A GPU node must be idle this long before removal (default 10m, config/const.go at 1.34.5). Its runner has
    # already stayed KEDA's cooldown (charts/queue_scaling.py); the two together are the GPU time paid after each
    # burst, about 4.5 minutes at p50 with 2m here (`make latency`). Close bursts are warmHours' job.
    "scale-down-unneeded-time": "2m",
    # After a scale-up, wait this long before considering any scale-down (default 10m): long
    # enough for a new node to get its pod, short enough not to pay for idle GPUs after a burst.
    "scale-down-delay-after-add": "5m",
}


def cluster_autoscaler_values(*, cluster_name: str, region: str, kubernetes_version: str) -> dict[str, Any]:
    """Helm values for the cluster-autoscaler chart, pinned to the cluster's Kubernetes minor."""
    if kubernetes_version not in CA_VERSIONS:
        supported = ", ".join(CA_VERSIONS)
        raise ValueError(
            f"no cluster-autoscaler release pinned for Kubernetes {kubernetes_version!r}; supported: {supported}"
        )
    if not cluster_name:
        raise ValueError("cluster_name must name the EKS cluster")
    if not region:
        raise ValueError("region must name the cluster's AWS region")
    _, image_tag = CA_VERSIONS[kubernetes_version]
    return {
        "cloudProvider": "aws",
        "awsRegion": region,
        "autoDiscovery": {
            "clusterName": cluster_name,
            # The chart's default tags, written out: the stack's nodegroups must carry exactly these.
            "tags": ["k8s.io/cluster-autoscaler/enabled", f"k8s.io/cluster-autoscaler/{cluster_name}"],
        },
        "image": {"repository": CA_IMAGE_REPOSITORY, "tag": image_tag},
        # Fixed name: the Pod Identity association is keyed on namespace + service account.
        "rbac": {"create": True, "serviceAccount": {"create": True, "name": CA_SERVICE_ACCOUNT}},
        # Never on a GPU node: it would keep the node it must remove.
        "nodeSelector": dict(SYSTEM_NODE_SELECTOR),
        # Without it, nothing adds GPU nodes; it must not be preempted by workloads.
        "priorityClassName": "system-cluster-critical",
        # Memory grows with the number of nodes and pods; 600Mi is ample for this cluster's size.
        # No CPU limit: throttling would only slow the scale-up decision.
        "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"memory": "600Mi"}},
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": _NONROOT_ID,
            "runAsGroup": _NONROOT_ID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containerSecurityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
        },
        "extraArgs": dict(_EXTRA_ARGS),
    }


# Its pod on the system nodes: the requests of the values above (tests/stacks/addons/cluster_autoscaler read them back).
SYSTEM_PODS = (SystemPod("cluster-autoscaler", 1, 100, 300, True,
                         "stacks/addons/cluster_autoscaler; kubernetes/autoscaler cluster-autoscaler/Makefile "
                         "ALL_ARCH = amd64 arm64 s390x"),)


def _installed(choices: Choices) -> bool:
    """Managed nodegroups need cluster-autoscaler to scale; Auto Mode scales its node pools itself."""
    return choices.autoscaling and not choices.automode


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.cluster_autoscaler.construct import install
    return install(site)


ADD_ON = AddOn("cluster-autoscaler", namespaces=(CA_NAMESPACE,), installed=_installed, install=_install,
               versions=lambda minor: (CLUSTER_AUTOSCALER[minor],), system_pods=SYSTEM_PODS)
