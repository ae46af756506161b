"""One unit per cluster add-on behind one small contract (cdk-eks-blueprints' `lib/addons/*`, in this project's terms).

Each add-on is a folder. Its `__init__.py` says what the add-on is, in plain data: its version per Kubernetes minor and
the source of that support, its Helm or configuration values, the namespaces it installs into, its system-pod footprint
(requests, pods per node) with sources, when a configuration installs it, which of the runner's charts wait for it; and
holds its `ADD_ON` record. Its `construct.py` builds it with aws-cdk-lib: the Pod Identity role and policy, the release or
EKS add-on, its placement from the capacity seam and what it waits for. The split is the layering: settings/ sizes the
system nodes and refuses add-on namespaces while it loads, so it reads the plain part (through stacks/install_plan.py)
and never imports aws-cdk-lib; the record's `install` imports `construct.py` only when a stack is built.

stacks/install_plan.py lists the add-ons; a new one is its own folder, a line in that list, and its test. The stack asks
the plan what each of the runner's charts waits for, never an add-on by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Literal

from domain.component_versions import Component
from domain.system_pods import SystemPod

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.install_plan import Site

# The runner's charts, by the names stacks/workloads.py applies them under once the add-ons are built: an add-on's `before`
# names those that must wait for it (they create objects of its CRDs, or need what it runs on the nodes).
Workload = Literal["gpu-checks", "sqs-credentials", "ecr-credential-refresh", "runner", "queue-scaling", "gpu-verifier-rbac"]


@dataclass(frozen=True)
class Choices:
    """What a configuration chose that decides which add-ons it installs: plain values, taken from the settings once."""
    kubernetes_version: str
    automode: bool  # EKS Auto Mode brings its own autoscaling, device plugin and node monitoring agent
    autoscaling: bool  # GPU nodes scale between nodesMin and nodesMax
    queue_autoscaling: bool  # runner replicas follow the depth of its queues
    sqs_credentials: str  # where the runner's SQS keys come from (settings/credentials.py)
    device_plugin: bool  # the GPU nodes need the NVIDIA device plugin applied
    ecr_refresh: bool  # the ECR pull-secret refresh runs (a workload of ours, on the system nodes)
    node_monitoring_agent: bool
    container_insights: bool


def _no_versions(kubernetes_version: str) -> tuple[Component, ...]:
    return ()


@dataclass(frozen=True)
class AddOn:
    """An add-on as the install plan sees it. `install(site)` builds it and returns what later parts wait for: the runner's
    charts named in `before` are applied after it."""
    name: str
    namespaces: tuple[str, ...]  # where it installs: the runner's namespace may never be one of these
    installed: Callable[[Choices], bool]
    install: Callable[["Site"], "IConstruct"]
    # The pinned releases it installs for a Kubernetes minor; settings refuse a minor one of them does not list.
    versions: Callable[[str], tuple[Component, ...]] = _no_versions
    system_pods: tuple[SystemPod, ...] = ()  # what it runs on the system nodes
    without: str | None = None  # how to drop it instead, in the unsupported-version error ("leave queues unset")
    before: tuple[Workload, ...] = ()  # the runner's charts applied only once it is installed
