"""What a configuration installs in its cluster, decided once from the settings; everything else asks this plan.

The settings size the system nodes from its pods, refuse a kubernetesVersion one of its pinned releases does not list,
and refuse a runner namespace an add-on installs into; the stack builds what it lists, in its order. Plain data, like each
add-on's own module: settings/ imports it, and no aws-cdk-lib comes with it (an add-on's construct is imported when built).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.component_versions import KUBECTL_LAYER, Component
from domain.system_pods import ECR_REFRESH, EKS_PODS, SystemPod
from stacks.addons import (AddOn, Choices, Workload, cluster_autoscaler, container_insights, device_plugin, external_secrets, keda,
                           node_monitoring_agent)

if TYPE_CHECKING:
    from aws_cdk import Stack, aws_eks_v2 as eks
    from constructs import Construct, IConstruct

    from settings import Settings
    from stacks.capacity import Capacity
    from stacks.managed_runner_credentials import ManagedRunnerCredentials
    from stacks.manifests import ManifestApplier

# Every add-on this project can install, in the order the version check names them and the system pods are listed.
ADD_ONS: tuple[AddOn, ...] = (
    node_monitoring_agent.ADD_ON,
    container_insights.ADD_ON,
    cluster_autoscaler.ADD_ON,
    device_plugin.ADD_ON,
    keda.ADD_ON,
    external_secrets.ADD_ON,
)


def add_on_namespaces() -> tuple[str, ...]:
    """Every namespace an add-on may install into, whether this configuration installs it or not: the runner's namespace is
    relabelled and deleted with the stack, so it may never be one of these."""
    return tuple(dict.fromkeys(namespace for add_on in ADD_ONS for namespace in add_on.namespaces))


@dataclass(frozen=True)
class Site:
    """Where the stack builds its add-ons and what they may use: its cluster, applier, capacity and observability."""
    stack: "Stack"
    settings: "Settings"
    plan: "InstallPlan"
    cluster: "eks.ICluster"
    manifests: "ManifestApplier"  # what add-ons apply or install beside the charts sits under it
    capacity: "Capacity"
    observability: "Construct"  # the GPU health and observability add-ons sit under it
    runner_credentials: "ManagedRunnerCredentials | None"


@dataclass(frozen=True)
class Installed:
    """What `InstallPlan.install` built: each add-on with the construct its `install` returned, in the plan's order."""
    built: tuple[tuple[AddOn, "IConstruct"], ...]

    def before(self, workload: Workload) -> list["IConstruct"]:
        """What the runner's chart `workload` waits for: every add-on built that names it in its `before`, in the plan's order."""
        return [construct for add_on, construct in self.built if workload in add_on.before]


@dataclass(frozen=True)
class InstallPlan:
    choices: Choices
    add_ons: tuple[AddOn, ...]

    @classmethod
    def of(cls, choices: Choices) -> "InstallPlan":
        return cls(choices, tuple(add_on for add_on in ADD_ONS if add_on.installed(choices)))

    def installs(self, add_on: AddOn) -> bool:
        return add_on in self.add_ons

    @property
    def system_pods(self) -> list[SystemPod]:
        """The pods this configuration runs on the system nodes (GPU nodes are tainted: nothing else lands there)."""
        pods = [*EKS_PODS, *(pod for add_on in self.add_ons for pod in add_on.system_pods)]
        return pods + [ECR_REFRESH] if self.choices.ecr_refresh else pods

    @property
    def components(self) -> list[tuple[Component, AddOn | None]]:
        """The pinned releases this configuration installs, each with its add-on (None for the kubectl layer)."""
        version = self.choices.kubernetes_version
        return [(KUBECTL_LAYER[version], None),
                *((component, add_on) for add_on in self.add_ons for component in add_on.versions(version))]

    def first_unsupported(self) -> tuple[Component, AddOn | None] | None:
        """The first installed release whose own project does not list this configuration's Kubernetes minor."""
        return next(((component, add_on) for component, add_on in self.components
                     if self.choices.kubernetes_version not in component.kubernetes_minors), None)

    def install(self, site: Site) -> Installed:
        """Builds every add-on of the plan, in order; what each returns is what the runner's charts it names wait for."""
        return Installed(tuple((add_on, add_on.install(site)) for add_on in self.add_ons))
