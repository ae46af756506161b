"""Read-only Kubernetes access for the post-deploy GPU check, `make status` and `make timeline`: nodes, and jobs, pods,
deployments and events in the runner's namespace.

The check's IAM role is mapped to the Kubernetes group VERIFIER_GROUP by an EKS access entry; these
bindings give that group exactly what `scripts/verify_gpus.py` reads, and nothing else (no secrets,
no writes).
"""
from __future__ import annotations

import cdk8s
from constructs import Construct

from charts.rbac import RBAC_API_GROUP, rbac_object, role_ref

VERIFIER_GROUP = "studioml:gpu-verifiers"
NODE_READER_NAME = "studioml-gpu-verifier-nodes"
JOB_READER_NAME = "studioml-gpu-verifier-jobs"

NODE_RULES = [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]
JOB_RULES = [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]},
             # make status: the runner's pods and its Deployment (no secrets, no logs, no exec)
             {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
             {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]},
             # make timeline: when KEDA, the autoscaler and the kubelet acted on the runner (events name objects, hold no data)
             {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "list"]}]


class GpuVerifierRbacChart(cdk8s.Chart):
    """ClusterRole + binding for nodes (cluster-scoped), Role + binding for jobs in `namespace`."""

    def __init__(self, scope: Construct, id: str, *, namespace: str) -> None:
        super().__init__(scope, id)
        subjects = [{"kind": "Group", "name": VERIFIER_GROUP, "apiGroup": RBAC_API_GROUP}]
        self.node_reader = rbac_object(self, "NodeReader", kind="ClusterRole", name=NODE_READER_NAME, rules=NODE_RULES)
        rbac_object(self, "NodeReaderBinding", kind="ClusterRoleBinding", name=NODE_READER_NAME,
                    subjects=subjects, roleRef=role_ref("ClusterRole", NODE_READER_NAME))
        self.job_reader = rbac_object(self, "JobReader", kind="Role", name=JOB_READER_NAME, namespace=namespace, rules=JOB_RULES)
        rbac_object(self, "JobReaderBinding", kind="RoleBinding", name=JOB_READER_NAME, namespace=namespace,
                    subjects=subjects, roleRef=role_ref("Role", JOB_READER_NAME))
