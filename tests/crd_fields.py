"""Required-field checks for the custom resources this project renders.

kubernetes-validate has schemas for built-in kinds only. For each custom kind we keep
the fields its CRD marks required (read from the operator's CRD at the pinned version),
as dotted paths, and assert they are present and non-empty.
"""
from __future__ import annotations

from typing import Any

# apiVersion group -> handled here instead of by kubernetes-validate
CUSTOM_RESOURCE_GROUPS: set[str] = set()

# (apiVersion, kind) -> dotted paths the CRD requires
REQUIRED_FIELDS: dict[tuple[str, str], list[str]] = {}


def check_required(obj: dict[str, Any]) -> None:
    key = (obj.get("apiVersion"), obj.get("kind"))
    assert key in REQUIRED_FIELDS, f"no CRD field list for {key}: add it to tests/crd_fields.py"
    for path in REQUIRED_FIELDS[key]:
        value: Any = obj
        for part in path.split("."):
            assert isinstance(value, dict) and part in value, f"{key[1]}/{obj['metadata']['name']}: missing {path}"
            value = value[part]
        assert value not in (None, "", [], {}), f"{key[1]}/{obj['metadata']['name']}: empty {path}"


# External Secrets Operator 2.10 (charts/sqs_credentials.py), CRDs external-secrets.io_secretstores
# and _externalsecrets, v1 (the only version served since 0.17).
CUSTOM_RESOURCE_GROUPS.add("external-secrets.io")
REQUIRED_FIELDS.update(
    {
        # spec.provider is required; inside it, provider.aws requires service and region
        # (this project renders AWS stores only).
        ("external-secrets.io/v1", "SecretStore"): ["spec.provider.aws.service", "spec.provider.aws.region"],
        # The CRD requires secretKey and remoteRef.key in each spec.data item: list items are out of
        # reach of dotted paths, so tests/charts/test_sqs_credentials.py asserts them. The store
        # reference and target name are optional in the CRD but required by how this project works.
        ("external-secrets.io/v1", "ExternalSecret"): ["spec.secretStoreRef.name", "spec.target.name", "spec.data"],
    }
)


# KEDA 2.20 (charts/queue_scaling.py), CRDs keda.sh_scaledobjects and keda.sh_triggerauthentications,
# v1alpha1 (the only version served).
CUSTOM_RESOURCE_GROUPS.add("keda.sh")
REQUIRED_FIELDS.update(
    {
        # spec requires scaleTargetRef (which requires name) and triggers. Each trigger requires type
        # and metadata, an authenticationRef requires name, each HPA policy type/value/periodSeconds:
        # list items are out of reach of dotted paths. scalingModifiers, when present, requires
        # target and formula. tests/charts/test_queue_scaling.py asserts all of these.
        ("keda.sh/v1alpha1", "ScaledObject"): ["spec.scaleTargetRef.name", "spec.triggers"],
        # spec is required; inside it, podIdentity requires provider.
        ("keda.sh/v1alpha1", "TriggerAuthentication"): ["spec.podIdentity.provider"],
    }
)


# Karpenter v1 NodePool, as EKS Auto Mode serves it (charts/gpu_node_pool.py): kubernetes-sigs/karpenter
# pkg/apis/crds/karpenter.sh_nodepools.yaml, version v1: spec requires template; template.spec requires nodeClassRef
# (group, kind and name) and requirements; each budget requires nodes (list items: tests/charts/test_gpu_node_pool.py).
CUSTOM_RESOURCE_GROUPS.add("karpenter.sh")
REQUIRED_FIELDS.update(
    {
        ("karpenter.sh/v1", "NodePool"): ["spec.template.spec.nodeClassRef.group", "spec.template.spec.nodeClassRef.kind",
                                          "spec.template.spec.nodeClassRef.name", "spec.template.spec.requirements"],
    }
)
