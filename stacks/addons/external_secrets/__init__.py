"""The External Secrets Operator (ESO): what it is (this module) and how it is built (construct.py).

ESO copies the SQS credentials from AWS Secrets Manager into the cluster, so the keys never
appear in the CloudFormation template, `cdk.out` or the kubectl handler's logs. The stack installs
this chart, then gives the controller's service account an EKS Pod Identity role that may only
read the one secret; `charts/sqs_credentials.py` renders the SecretStore and ExternalSecret.

Plain data only, so settings can size the system nodes from it; construct.py imports aws-cdk-lib.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from charts.gpu_scheduling import SYSTEM_NODE_SELECTOR
from domain.component_versions import Component
from domain.system_pods import SystemPod
from stacks.addons import AddOn, Choices

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.install_plan import Site

# One release per Kubernetes minor, the newest whose row of ESO's own support table lists it
# (docs/introduction/stability-support.md, main at cc5bfbc2, 2026-08-08: 2.0-2.6 -> 1.34-1.35, 2.7 -> 1.35,
# 2.8 -> 1.35-1.36, 2.9 -> 1.36). Each minor has only a .0 release; its chart is cut on tag helm-chart-X.Y.0.
# 1.36 keeps the newest release, 2.14.0 (chart appVersion v2.14.0); the table row read offline that covers 1.36 is 2.9's.
EXTERNAL_SECRETS = {
    "1.34": Component("External Secrets", "2.6.0", ("1.34", "1.35"),
                      "external-secrets docs/introduction/stability-support.md (row 2.6: 1.34-1.35); chart tag helm-chart-2.6.0"),
    "1.35": Component("External Secrets", "2.8.0", ("1.35", "1.36"),
                      "external-secrets docs/introduction/stability-support.md (row 2.8: 1.35-1.36); chart tag helm-chart-2.8.0"),
    "1.36": Component("External Secrets", "2.14.0", ("1.36",),
                      "external-secrets release v2.14.0; stability-support.md rows 2.8 (1.35-1.36) and 2.9 (1.36)"),
}

ESO_CHART_REPOSITORY = "https://charts.external-secrets.io"
ESO_CHART_NAME = "external-secrets"
# The chart's appVersion pins the controller image to the same tag: no image tag is set here. Every values key below means the same at 2.6.0, 2.8.0 and 2.14.0.
ESO_CHART_VERSIONS = {minor: component.version for minor, component in EXTERNAL_SECRETS.items()}
ESO_NAMESPACE = "external-secrets"
ESO_SERVICE_ACCOUNT = "external-secrets"

_HARDENED_CONTAINER: dict[str, Any] = {
    "enabled": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _resources(memory_request: str, memory_limit: str) -> dict[str, Any]:
    # A memory limit caps a leak; no CPU limit, which would only throttle reconciles.
    return {"requests": {"cpu": "10m", "memory": memory_request}, "limits": {"memory": memory_limit}}


def eso_helm_values(*, scoped_namespace: str | None = None, on_system_nodes: bool = True,
                    node_selector: Mapping[str, str] = SYSTEM_NODE_SELECTOR,
                    tolerations: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
    """Helm values for the ESO chart.

    node_selector, tolerations: where the system nodes are (the system nodegroup, or Auto Mode's tainted `system` pool).

    on_system_nodes: pin the controller, webhook and cert-controller to the system nodes, like KEDA
    and the autoscaler; False only when there are none (GPU nodes are then untainted and run them).

    scoped_namespace: the one namespace whose ExternalSecrets ESO may reconcile (the runner's).
    Set it: the controller's role can read the SQS secret, so without scoping anyone who may
    create a SecretStore in any namespace could have the controller fetch it for them.
    """
    values: dict[str, Any] = {
        "installCRDs": True,
        # Fixed name: the Pod Identity association is keyed on namespace + service account.
        "serviceAccount": {"create": True, "name": ESO_SERVICE_ACCOUNT},
        "resources": _resources("64Mi", "256Mi"),
        "securityContext": dict(_HARDENED_CONTAINER),
        # Only the namespaced SecretStore + ExternalSecret are used: cluster-wide stores would let
        # any namespace read through the controller's role, and nothing here writes back to AWS.
        "processClusterStore": False,
        "processClusterExternalSecret": False,
        "processClusterPushSecret": False,
        "processPushSecret": False,
        "processClusterGenerator": False,
        # Users with the built-in `edit` role must not get to create SecretStores (see above).
        "rbac": {"create": True, "aggregateToEdit": False, "aggregateToView": False},
        "webhook": {"resources": _resources("32Mi", "128Mi"), "securityContext": dict(_HARDENED_CONTAINER)},
        "certController": {"resources": _resources("32Mi", "128Mi"), "securityContext": dict(_HARDENED_CONTAINER)},
    }
    if on_system_nodes:
        # The chart's values.yaml has a nodeSelector per pod (top level for the controller,
        # webhook.nodeSelector, certController.nodeSelector): set all three.
        for component in (values, values["webhook"], values["certController"]):
            component["nodeSelector"] = dict(node_selector)
            if tolerations:
                component["tolerations"] = [dict(toleration) for toleration in tolerations]
    if scoped_namespace is not None:
        if not scoped_namespace:
            raise ValueError("scoped_namespace must be a namespace name or None")
        # The controller then reconciles and holds Secret RBAC in that namespace only.
        values["scopedNamespace"] = scoped_namespace
        values["scopedRBAC"] = True
    return values


# Its pods on the system nodes: the requests of the values above (tests/stacks/addons/external_secrets reads them back).
SYSTEM_PODS = (
    SystemPod("external-secrets", 1, 10, 64, True,
              "stacks/addons/external_secrets; external-secrets/external-secrets Makefile ARCH ?= amd64 arm64 ppc64le"),
    SystemPod("external-secrets-webhook", 1, 10, 32, True, "stacks/addons/external_secrets; same image"),
    SystemPod("external-secrets-cert-controller", 1, 10, 32, True, "stacks/addons/external_secrets; same image"),
)


def _installed(choices: Choices) -> bool:
    """The runner's SQS keys come from Secrets Manager (a secret of the user's, or one the stack manages)."""
    return choices.sqs_credentials in ("secretsmanager", "managed")


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.external_secrets.construct import install
    return install(site)


# The SQS credentials wait for it: their SecretStore and ExternalSecret are its CRDs, checked by its webhook.
ADD_ON = AddOn("external-secrets", namespaces=(ESO_NAMESPACE,), installed=_installed, install=_install,
               versions=lambda minor: (EXTERNAL_SECRETS[minor],), system_pods=SYSTEM_PODS,
               without="set sqsCredentials=file or none", before=("sqs-credentials",))
