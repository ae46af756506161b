"""KEDA, which scales the runner on SQS queue depth: what it is (this module) and how it is built (construct.py).

The KEDA operator reads the queues' attributes with its own AWS identity: the stack gives its
service account an EKS Pod Identity role (association on namespace + service account name), and
`charts/queue_scaling.py` renders a TriggerAuthentication with `podIdentity: {provider: aws}` and
no roleArn. KEDA then loads the AWS SDK's default credential chain, which picks up the Pod
Identity credentials; no IRSA annotation is needed (identityOwner defaults to `keda`).

Plain data only, so settings can size the system nodes from it; construct.py imports aws-cdk-lib.
"""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from domain.component_versions import Component
from domain.system_pods import SystemPod
from stacks.addons import AddOn, Choices

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.install_plan import Site

# Newest chart release (kedacore/charts release v2.21.1, 2026-11-16; its appVersion pins the three images).
KEDA = Component("KEDA", "2.21.1", ("1.34", "1.35", "1.36"),
                 "keda.sh/docs/operate/cluster, Kubernetes Compatibility: v2.21 -> v1.34 - v1.36")

KEDA_CHART_REPOSITORY = "https://kedacore.github.io/charts"
KEDA_CHART_NAME = "keda"
# The chart's appVersion pins the three KEDA images to the same tag, so no image tag is set here.
KEDA_CHART_VERSION = KEDA.version
KEDA_NAMESPACE = "keda"
# Set by `serviceAccount.operator.name` in the chart (the older top-level
# `serviceAccount.name` is only its fallback).
KEDA_OPERATOR_SERVICE_ACCOUNT = "keda-operator"

_HARDENED_CONTAINER: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
_NON_ROOT_POD: dict[str, Any] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
_COMPONENTS = ("operator", "metricServer", "webhooks")


def _resources(memory_request: str, memory_limit: str) -> dict[str, Any]:
    # A memory limit caps a leak; no CPU limit, which would only delay scaling decisions.
    return {"requests": {"cpu": "50m", "memory": memory_request}, "limits": {"memory": memory_limit}}


def keda_values(*, watch_namespace: str | None = None, node_selector: Mapping[str, str] = SYSTEM_NODE_SELECTOR,
                tolerations: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
    """Helm values for the KEDA chart.

    node_selector, tolerations: where the system pods go (the capacity says: the system nodegroup, or
    Auto Mode's tainted `system` pool); the chart's top-level `nodeSelector` and `tolerations` apply to all three.

    watch_namespace: the one namespace whose ScaledObjects KEDA acts on (the runner's). Anyone who
    may create a ScaledObject and a TriggerAuthentication in a watched namespace can make the
    operator call AWS with its role; scoping narrows that to one namespace.
    """
    values: dict[str, Any] = {
        "crds": {"install": True},
        # Fixed name: the Pod Identity association is keyed on namespace + service account.
        "serviceAccount": {"operator": {"create": True, "name": KEDA_OPERATOR_SERVICE_ACCOUNT}},
        # EKS Pod Identity, not IRSA: no role annotation on the service account. With an IRSA
        # annotation the SDK would try web identity first and fail without an OIDC trust.
        "podIdentity": {"aws": {"irsa": {"enabled": False}}},
        # Never on a GPU node: KEDA would keep alive the node it scales away.
        "nodeSelector": dict(node_selector),
        "resources": {
            "operator": _resources("100Mi", "512Mi"),
            "metricServer": _resources("100Mi", "512Mi"),
            "webhooks": _resources("32Mi", "128Mi"),
        },
        "securityContext": {component: copy.deepcopy(_HARDENED_CONTAINER) for component in _COMPONENTS},
        "podSecurityContext": {component: copy.deepcopy(_NON_ROOT_POD) for component in _COMPONENTS},
        # The TriggerAuthentication uses pod identity, never a Secret: without this the operator
        # may list and watch every Secret in the cluster.
        "permissions": {"operator": {"restrict": {"secret": True}}},
        # Only Deployments are scaled: drop the default `*/scale` rights on every API group.
        "rbac": {"create": True, "enabledCustomScaledRefKinds": False},
    }
    if tolerations:
        values["tolerations"] = [dict(toleration) for toleration in tolerations]
    if watch_namespace is not None:
        if not watch_namespace:
            raise ValueError("watch_namespace must be a namespace name or None")
        values["watchNamespace"] = watch_namespace
    return values


# Its pods on the system nodes: the requests of the values above (tests/stacks/addons/keda reads them back).
SYSTEM_PODS = (
    SystemPod("keda-operator", 1, 50, 100, True,
              "stacks/addons/keda; kedacore/keda Makefile BUILD_PLATFORMS linux/amd64,linux/arm64,linux/s390x"),
    SystemPod("keda-operator-metrics-apiserver", 1, 50, 100, True, "stacks/addons/keda; same BUILD_PLATFORMS (Dockerfile.adapter)"),
    SystemPod("keda-admission-webhooks", 1, 50, 32, True, "stacks/addons/keda; same BUILD_PLATFORMS (Dockerfile.webhooks)"),
)


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.keda.construct import install
    return install(site)


def _installed(choices: Choices) -> bool:
    return choices.queue_autoscaling


# The queue scaling waits for it: its ScaledObject and TriggerAuthentication are KEDA's CRDs, checked by KEDA's webhook.
ADD_ON = AddOn("keda", namespaces=(KEDA_NAMESPACE,), installed=_installed, install=_install, versions=lambda minor: (KEDA,),
               system_pods=SYSTEM_PODS, without="leave queues unset", before=("queue-scaling",))
