"""The namespace the runner, its pull-secret refresh and the GPU checks live in, and who may reach their pods: no one.

Pod Security: `enforce` at `baseline`, `warn` and `audit` at `restricted`. The runner image
(cmd/runner/Dockerfile.stock at 0.14.2) has no USER: it runs as root, with HOME, pyenv and its pip
installs under /runner on the image's filesystem, so it cannot pass `restricted` (runAsNonRoot); it
meets everything else `restricted` asks. `baseline` is the strictest level it passes: no privilege,
host namespaces, hostPath or added capabilities. warn and audit at `restricted` name the one gap on
every apply and in the audit log, so it stays visible.

NetworkPolicy: nothing listens for anyone. The runner pulls work from SQS and serves only Prometheus
metrics (nobody scrapes them here); the GPU checks and the pull-secret refresh serve nothing. Egress stays
open (SQS, S3, ECR, the API server). Enforced once the VPC CNI's network policy agent is on (stacks/eks_cluster.py).
"""
from __future__ import annotations

from typing import Sequence

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

DEFAULT_NAMESPACE = "default"
ENFORCED_LEVEL = "baseline"
REPORTED_LEVEL = "restricted"
# enforce rejects violating pods only when a ReplicaSet or Job creates them, silently;
# warn and audit report a violating Deployment or CronJob at the moment it is applied.
POD_SECURITY_LABELS: dict[str, str] = {
    "pod-security.kubernetes.io/enforce": ENFORCED_LEVEL,
    "pod-security.kubernetes.io/warn": REPORTED_LEVEL,
    "pod-security.kubernetes.io/audit": REPORTED_LEVEL,
}
DENY_INGRESS_POLICY_NAME = "studioml-deny-ingress"


class RunnerNamespaceChart(cdk8s.Chart):
    """A labelled Namespace (none when the runner goes to `default`, which always exists and is not ours to
    label), and a NetworkPolicy that denies all ingress to the pods whose `app` label is one of `pod_apps`."""

    def __init__(self, scope: Construct, id: str, *, namespace: str, pod_apps: Sequence[str]) -> None:
        super().__init__(scope, id)
        if not pod_apps:
            raise ValueError("pod_apps must name the app labels of the pods to protect")
        self.namespace_object: kplus.Namespace | None = None
        if namespace != DEFAULT_NAMESPACE:
            self.namespace_object = kplus.Namespace(
                self,
                "Namespace",
                metadata=cdk8s.ApiObjectMetadata(name=namespace, labels=dict(POD_SECURITY_LABELS)),
            )
        # Only our pods, by label: in `default` other pods may live beside them.
        self.deny_ingress = cdk8s.ApiObject(
            self, "DenyIngress", api_version="networking.k8s.io/v1", kind="NetworkPolicy",
            metadata=cdk8s.ApiObjectMetadata(name=DENY_INGRESS_POLICY_NAME, namespace=namespace))
        self.deny_ingress.add_json_patch(cdk8s.JsonPatch.add("/spec", {
            "podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": sorted(set(pod_apps))}]},
            "policyTypes": ["Ingress"],  # and no ingress rule: nothing may connect
        }))
        if self.namespace_object is not None:
            self.deny_ingress.add_dependency(self.namespace_object)
