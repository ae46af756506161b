"""Read-only Kubernetes access for the post-deploy GPU check: nodes, and jobs in the runner's namespace.

The check's IAM role is mapped to the Kubernetes group VERIFIER_GROUP by an EKS access entry; these
bindings give that group exactly what `scripts/verify_gpus.py` reads, and nothing else (no secrets,
no writes).
"""
from __future__ import annotations

import cdk8s
from constructs import Construct

VERIFIER_GROUP = "studioml:gpu-verifiers"
NODE_READER_NAME = "studioml-gpu-verifier-nodes"
JOB_READER_NAME = "studioml-gpu-verifier-jobs"
RBAC_API = "rbac.authorization.k8s.io/v1"

NODE_RULES = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]
JOB_RULES = [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]}]


class GpuVerifierRbacChart(cdk8s.Chart):
    """ClusterRole + binding for nodes (cluster-scoped), Role + binding for jobs in `namespace`."""

    def __init__(self, scope: Construct, id: str, *, namespace: str) -> None:
        super().__init__(scope, id)
        subjects = [{"kind": "Group", "name": VERIFIER_GROUP, "apiGroup": "rbac.authorization.k8s.io"}]
        self.node_reader = _rbac(self, "NodeReader", "ClusterRole", NODE_READER_NAME, None, {"rules": NODE_RULES})
        _rbac(self, "NodeReaderBinding", "ClusterRoleBinding", NODE_READER_NAME, None,
              {"subjects": subjects, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": NODE_READER_NAME}})
        self.job_reader = _rbac(self, "JobReader", "Role", JOB_READER_NAME, namespace, {"rules": JOB_RULES})
        _rbac(self, "JobReaderBinding", "RoleBinding", JOB_READER_NAME, namespace,
              {"subjects": subjects, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": JOB_READER_NAME}})


def _rbac(scope: Construct, id: str, kind: str, name: str, namespace: str | None, body: dict) -> cdk8s.ApiObject:
    obj = cdk8s.ApiObject(scope, id, api_version=RBAC_API, kind=kind, metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace))
    for key, value in body.items():
        obj.add_json_patch(cdk8s.JsonPatch.add(f"/{key}", value))
    return obj
