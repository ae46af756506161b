"""RBAC objects (Role, ClusterRole and their bindings) as plain ApiObjects: the rules are ours, exactly as written."""
from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct

RBAC_API_GROUP = "rbac.authorization.k8s.io"


def rbac_object(scope: Construct, id: str, *, kind: str, name: str, namespace: str | None = None, **fields: Any) -> cdk8s.ApiObject:
    """`kind` is Role, ClusterRole, RoleBinding or ClusterRoleBinding; `fields` are its top-level keys (rules, subjects, roleRef)."""
    obj = cdk8s.ApiObject(scope, id, api_version=f"{RBAC_API_GROUP}/v1", kind=kind,
                          metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace))
    for key, value in fields.items():
        obj.add_json_patch(cdk8s.JsonPatch.add(f"/{key}", value))
    return obj


def role_ref(kind: str, name: str) -> dict[str, str]:
    return {"apiGroup": RBAC_API_GROUP, "kind": kind, "name": name}


def service_account_subject(name: str, namespace: str) -> list[dict[str, str]]:
    return [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]
