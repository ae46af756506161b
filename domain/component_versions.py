"""Every component this project pins, and the Kubernetes minors its own project lists for that release.

One table: the charts and settings read their versions from here, and settings refuse a
kubernetesVersion outside the rows of the components a configuration actually installs.
Each row names where its minors come from; where the source could not be read for the exact
release, the row says so and keeps the narrowest range the project documents.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    kubernetes_minors: tuple[str, ...]
    source: str

    @property
    def minors_text(self) -> str:
        first, last = self.kubernetes_minors[0], self.kubernetes_minors[-1]
        return first if first == last else f"{first}-{last}"


# Newest chart release (kedacore/charts release v2.21.1, 2026-11-16; its appVersion pins the three images).
KEDA = Component("KEDA", "2.21.1", ("1.34", "1.35", "1.36"),
                 "keda.sh/docs/operate/cluster, Kubernetes Compatibility: v2.21 -> v1.34 - v1.36")
# External Secrets: one release per Kubernetes minor, the newest whose row of ESO's own support table lists it
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
# NVIDIA device plugin README (v0.20.0), Prerequisites: "Kubernetes version >= 1.10", so every minor we offer.
DEVICE_PLUGIN = Component("NVIDIA device plugin", "v0.20.0", ("1.34", "1.35", "1.36"),
                          "NVIDIA/k8s-device-plugin README.md at v0.20.0, Prerequisites: Kubernetes >= 1.10")

# cluster-autoscaler: one image minor per Kubernetes minor (its README: use the CA minor of the control
# plane). Chart 9.59.0 for all three; the newest patch of each minor (tags of 2026-07-23).
CLUSTER_AUTOSCALER_CHART_VERSION = "9.59.0"
CLUSTER_AUTOSCALER = {
    minor: Component("cluster-autoscaler", tag, (minor,), f"kubernetes/autoscaler tag cluster-autoscaler-{tag[1:]}")
    for minor, tag in (("1.34", "v1.34.5"), ("1.35", "v1.35.2"), ("1.36", "v1.36.1"))
}
# kubectl layers (aws-cdk.lambda-layer-kubectl-vNN in requirements.txt): kubectl of exactly that minor.
KUBECTL_LAYER = {
    minor: Component("kubectl layer", f"aws-cdk.lambda-layer-kubectl-v{minor[2:]}=={version}", (minor,),
                     "requirements.txt / constraints.txt")
    for minor, version in (("1.34", "2.2.2"), ("1.35", "2.2.2"), ("1.36", "2.0.1"))
}

# The Kubernetes versions this app offers at all: those a kubectl layer exists for.
KUBERNETES_VERSIONS: tuple[str, ...] = tuple(KUBECTL_LAYER)


def components_for(kubernetes_version: str, *, keda: bool, external_secrets: bool, cluster_autoscaler: bool,
                   device_plugin: bool) -> list[Component]:
    """The pinned components a configuration installs, for one of KUBERNETES_VERSIONS."""
    chosen = [KUBECTL_LAYER[kubernetes_version]]
    if cluster_autoscaler:
        chosen.append(CLUSTER_AUTOSCALER[kubernetes_version])
    chosen += [c for c, used in ((DEVICE_PLUGIN, device_plugin), (KEDA, keda)) if used]
    if external_secrets:
        chosen.append(EXTERNAL_SECRETS[kubernetes_version])
    return chosen


def first_unsupported(kubernetes_version: str, **installed: bool) -> Component | None:
    """The first installed component whose own project does not list this Kubernetes minor."""
    for component in components_for(kubernetes_version, **installed):
        if kubernetes_version not in component.kubernetes_minors:
            return component
    return None
