"""The settings: one group per concern, composed as the fields of one model. Users see one flat set of names.

Users write flat camelCase settings (`-c nodeType=...`); Settings reads each into the group that declares it. In order:
settings another setting leaves unused are refused (settings/unused.py); every value gets its type; each group runs its
own checks (`check` in settings/<group>.py); the checks that relate groups run (settings/cross_checks.py); the files some
settings name are read (settings/local_files.py). What follows from more than one group is derived here, once, for the stacks and charts.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel

from domain import names
from domain.images import PRIVATE_ECR_IMAGE
from domain.system_nodes import SYSTEM_NODE_TYPES, SystemFit
from settings.capacity import system_node_fit
from settings.cluster import ClusterSettings
from settings.credentials import CredentialSettings
from settings.cross_checks import run_cross_checks
from settings.delivery import DeliverySettings, PipelineTarget
from settings.errors import SettingError
from settings.fields import SettingsBase
from settings.local_files import LocalFiles, read_local_files
from settings.nodes import NodeSettings
from settings.observability import ObservabilitySettings
from settings.runner import RunnerSettings
from settings.scaling import ScalingSettings
from settings.unused import AUTOMODE_NODE_DISK_GIB, refuse_unused
from stacks.addons import Choices, cluster_autoscaler
from stacks.install_plan import InstallPlan

# The groups in the order users see them: the README's settings table, and the order each group's own checks run.
GROUPS: dict[str, type[SettingsBase]] = {
    "cluster": ClusterSettings,
    "node": NodeSettings,
    "runner": RunnerSettings,
    "credentials": CredentialSettings,
    "scaling": ScalingSettings,
    "delivery": DeliverySettings,
    "observability": ObservabilitySettings,
}
# Each setting, as users spell it, and the group that declares it.
GROUP_OF: dict[str, str] = {to_camel(name): group for group, model in GROUPS.items() for name in model.model_fields}


class Settings(BaseModel):
    """Every setting of the app, by concern; checked as a whole once read."""
    model_config = ConfigDict(frozen=True, extra="forbid")

    cluster: ClusterSettings
    node: NodeSettings
    runner: RunnerSettings
    credentials: CredentialSettings
    scaling: ScalingSettings
    delivery: DeliverySettings
    observability: ObservabilitySettings
    # Not settings: what the settings' files held, and where each value that was not a default came from
    # (`context`, `$VARIABLE`), for the target line.
    files: LocalFiles = LocalFiles()
    sources: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _by_group(cls, raw: Any, info: ValidationInfo) -> Any:
        """The flat settings, refused if another setting leaves one unused, else handed to the group that declares each."""
        if not isinstance(raw, Mapping):
            return raw
        refuse_unused(raw)
        grouped: dict[str, Any] = {group: {} for group in GROUPS}
        for key, value in raw.items():
            if str(key) not in GROUP_OF:
                raise SettingError(str(key), "unknown setting; see the settings table in README.md")
            grouped[GROUP_OF[str(key)]][key] = value
        return {**grouped, "sources": dict((info.context or {}).get("sources", {}))}

    @model_validator(mode="after")
    def _checked(self, info: ValidationInfo) -> "Settings":
        """Every value has its type: now each group's own checks, in the table's order, the checks across groups, then the files."""
        for _, group in self:
            if isinstance(group, SettingsBase):
                group.check()
        run_cross_checks(self)
        home = Path((info.context or {}).get("home") or Path.home())
        return self.model_copy(update={"files": read_local_files(self.node, self.credentials, home)})

    def for_target(self, target: PipelineTarget) -> "Settings":
        """The same settings, deployed to one target's account and region."""
        return self.model_copy(update={"cluster": self.cluster.model_copy(update={"account": target.account, "region": target.region})})

    # --- what the stacks build: the install plan and the nodes -------------------------------------
    @cached_property
    def install_plan(self) -> InstallPlan:
        """What this configuration installs (stacks/install_plan.py), made once from these settings."""
        return InstallPlan.of(Choices(
            kubernetes_version=self.cluster.kubernetes_version, automode=self.node.automode,
            autoscaling=self.autoscaling_enabled, queue_autoscaling=self.queue_autoscaling,
            sqs_credentials=self.credentials.sqs_credentials, device_plugin=self.node.device_plugin_needed,
            ecr_refresh=self.ecr_refresh, node_monitoring_agent=self.observability.node_monitoring_agent,
            container_insights=self.observability.container_insights))

    @property
    def installs_cluster_autoscaler(self) -> bool:
        """Managed nodegroups need cluster-autoscaler to scale; Auto Mode scales its node pools itself (its unit decides)."""
        return self.install_plan.installs(cluster_autoscaler.ADD_ON)

    @property
    def gpu_nodegroup_name(self) -> str:
        """The GPU nodegroup's name prefix (the whole name of Auto Mode's GPU NodePool): nodegroupName, else the cluster's."""
        return self.node.nodegroup_name or self.cluster.cluster_name

    @property
    def system_nodegroup_name(self) -> str:
        return names.system_nodegroup_name(self.cluster.cluster_name)

    @property
    def gpu_node_disk_gib(self) -> int:
        return AUTOMODE_NODE_DISK_GIB if self.node.automode else self.node.node_volume_size

    @cached_property
    def system_fit(self) -> SystemFit | None:
        """How the system pods fit on the system nodes; None with Auto Mode or without system nodes."""
        if self.node.automode:
            return None
        return system_node_fit(self.node.system_nodes, self.node.system_node_type, self.install_plan.system_pods)

    @property
    def system_instance_type(self) -> str | None:
        """systemNodeType as given, else the cheapest type that holds the system pods; None without system nodes."""
        return self.node.system_node_type or (self.system_fit.node_type if self.system_fit else None)

    @property
    def system_architecture(self) -> str:
        """From the table of system node types (domain/system_nodes.py): with system nodes, their type is always in it."""
        return SYSTEM_NODE_TYPES[self.system_instance_type or ""].architecture

    # --- the runner on its nodes ------------------------------------------------------------------
    @property
    def runners_per_node(self) -> int:
        """Runner pods that fit one node of the smallest listed type."""
        return min(node.gpus // self.runner.runner_gpus for node in self.node.gpu_instance_types)

    @property
    def runner_capacity(self) -> int:
        """Runner pods that fit on nodesMax nodes of the smallest listed type."""
        return self.runners_per_node * self.node.nodes_max

    @property
    def ecr_registry(self) -> str | None:
        """`<account>.dkr.ecr.<region>.amazonaws.com` when runnerImage is a private ECR image."""
        match = PRIVATE_ECR_IMAGE.fullmatch(self.runner.runner_image)
        return match.group("registry") if match else None

    @property
    def ecr_refresh(self) -> bool:
        """ecrCredentialRefresh, where `auto` means: when runnerImage is a private ECR image."""
        if self.credentials.ecr_credential_refresh == "auto":
            return self.ecr_registry is not None
        return self.credentials.ecr_credential_refresh == "true"

    # --- scaling with the queues ------------------------------------------------------------------
    @property
    def autoscaling_enabled(self) -> bool:
        """autoscaling as given, else on whenever there is room between nodesMin and nodesMax."""
        given = self.scaling.autoscaling
        return given if given is not None else self.node.nodes_max > self.node.nodes_min

    @property
    def queue_autoscaling(self) -> bool:
        """KEDA owns the runner's replica count when autoscaling is on and there are queues to watch."""
        return self.autoscaling_enabled and bool(self.scaling.queues)

    @property
    def runner_replica_bounds(self) -> tuple[int, int]:
        """(min, max) runner pods for KEDA: none when no GPU node must stay up, else what the always-on nodes hold."""
        maximum = self.scaling.runner_max_replicas or self.runner_capacity
        return min(self.node.nodes_min * self.runners_per_node, maximum), maximum

    @property
    def runner_queue_match(self) -> str:
        """The runner's QUEUE_MATCH. With sqsCredentials=managed and queues listed, the runner's user may read only those
        queues (stacks/managed_runner_credentials.py): queueMatch alone would also match other queues of the account,
        where the runner would get AccessDenied, so it serves exactly the listed ones (each already matches queueMatch)."""
        if self.credentials.sqs_credentials == "managed" and self.scaling.queues:
            return "^(?:" + "|".join(name.replace(".", "\\.") for name in self.scaling.queues) + ")$"
        return self.runner.queue_match

    # --- delivery ---------------------------------------------------------------------------------
    @property
    def targets(self) -> list[PipelineTarget]:
        """The pipeline's stages, in deploy order; by default one `prod` in the pipeline's own account and region."""
        return self.delivery.targets(self.cluster.account, self.cluster.region)
