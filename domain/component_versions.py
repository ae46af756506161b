"""A pinned component and the Kubernetes minors its own project lists for that release; the kubectl layers.

Each add-on's rows live in its unit (stacks/addons/<name>); the install plan (stacks/install_plan.py) gathers the rows of
what a configuration installs, and settings refuse a kubernetesVersion outside them. Each row names where its minors come
from; where the source could not be read for the exact release, the row says so and keeps the narrowest range the project
documents.
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


# kubectl layers (aws-cdk.lambda-layer-kubectl-vNN in requirements.txt): kubectl of exactly that minor.
KUBECTL_LAYER = {
    minor: Component("kubectl layer", f"aws-cdk.lambda-layer-kubectl-v{minor[2:]}=={version}", (minor,),
                     "requirements.txt / constraints.txt")
    for minor, version in (("1.34", "2.2.2"), ("1.35", "2.2.2"), ("1.36", "2.0.1"))
}

# The Kubernetes versions this app offers at all: those a kubectl layer exists for.
KUBERNETES_VERSIONS: tuple[str, ...] = tuple(KUBECTL_LAYER)

