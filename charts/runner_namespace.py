"""The namespace the runner, its pull-secret refresh and the GPU smoke test live in.

Pod Security level `baseline`, not `restricted`: the runner image has no USER (it runs as root,
with HOME and its Python installs under /runner on the image's filesystem), and the GPU smoke
test runs `nvidia-smi` as a plain root container, so neither can pass `restricted`
(runAsNonRoot). Both pass `baseline`: no privilege, host namespaces, hostPath or added
capabilities. The ECR credential-refresh pods meet `restricted` on their own.
"""
from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

DEFAULT_NAMESPACE = "default"
POD_SECURITY_LEVEL = "baseline"
# enforce rejects violating pods only when a ReplicaSet or Job creates them, silently;
# warn and audit report a violating Deployment or CronJob at the moment it is applied.
POD_SECURITY_LABELS: dict[str, str] = {
    f"pod-security.kubernetes.io/{mode}": POD_SECURITY_LEVEL for mode in ("enforce", "warn", "audit")
}


class RunnerNamespaceChart(cdk8s.Chart):
    """A labelled Namespace, or nothing when the runner goes to `default` (which always exists)."""

    def __init__(self, scope: Construct, id: str, *, namespace: str) -> None:
        super().__init__(scope, id)
        self.namespace_object: kplus.Namespace | None = None
        if namespace != DEFAULT_NAMESPACE:
            self.namespace_object = kplus.Namespace(
                self,
                "Namespace",
                metadata=cdk8s.ApiObjectMetadata(name=namespace, labels=dict(POD_SECURITY_LABELS)),
            )
