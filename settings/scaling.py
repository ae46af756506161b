"""Scaling with the queue: node autoscaling, the queues KEDA watches, and how many runners the cluster can hold."""
from __future__ import annotations

from typing import Annotated, cast

from pydantic import AfterValidator, model_validator

from domain import names
from domain.queue_match import queue_matches
from domain.warm_hours import EXAMPLE as WARM_HOURS_EXAMPLE
from domain.warm_hours import WarmHours, parse_warm_hours
from settings.errors import SettingError
from settings.fields import SettingsBase, setting
from settings.types import Count, Flag, QueueNames, Text, at_least, at_most

MAX_QUEUE_LENGTH_PER_RUNNER = 100_000  # past this KEDA never adds a second runner: a typo, not a target


def _warm_hours(value: str) -> str:
    return parse_warm_hours(value).text  # one spelling in the template, whatever spacing was given


class ScalingSettings(SettingsBase):
    autoscaling: Flag | None = setting(None, meaning="node autoscaling (cluster-autoscaler) and, with `queues`, runner autoscaling (KEDA)",
                                       runbook="`--nodes-min`/`--nodes-max` (which scaled nothing)",
                                       default_text="`true` when `nodesMax` > `nodesMin`")
    queues: QueueNames = setting([], meaning="SQS queue names the runner serves and KEDA scales on (comma list; each matches `queueMatch`)",
                                 default_text="unset")
    create_queues: Flag = setting(False, meaning="create those queues in the stack (encrypted, with a dead-letter queue)")
    runner_max_replicas: Count | None = setting(None, meaning="upper bound of runner pods for KEDA",
                                                default_text="GPUs of `nodesMax` nodes / `runnerGpus`")
    queue_length_per_runner: Annotated[Count, at_least(1, "KEDA would ask for a runner per nothing"),
                                       at_most(MAX_QUEUE_LENGTH_PER_RUNNER, "where KEDA would never add a second runner")] = setting(
        1, meaning="visible messages per runner pod before KEDA adds one")

    warm_hours: Annotated[Text, AfterValidator(_warm_hours)] | None = setting(
        None, meaning=f"hours in which `warmRunners` runners, and so their GPU nodes, stay up (a KEDA `cron` trigger; "
                      f"needs `queues`), like `{WARM_HOURS_EXAMPLE}`: days, local hours, IANA time zone")
    warm_runners: Annotated[Count, at_least(1, "KEDA's cron trigger refuses 0 desiredReplicas")] = setting(
        1, meaning="runners kept up during `warmHours`")

    @model_validator(mode="after")
    def _scaling_checks(self) -> "ScalingSettings":
        queue_match: str = getattr(self, "queue_match")
        nodes_min, nodes_max, nodes = getattr(self, "nodes_min"), getattr(self, "nodes_max"), getattr(self, "nodes")
        for name in self.queues:
            if not queue_matches(queue_match, name):
                raise SettingError("queues", f"{name} does not match queueMatch ({queue_match}), so the runner would never serve it. "
                                   "Rename the queue or widen queueMatch")
        if self.create_queues and not self.queues:
            raise SettingError("createQueues", "is true but no queues are listed. Set queues=sqs_name1,sqs_name2")
        too_long = [name for name in self.queues if len(name) > names.CREATED_QUEUE_NAME_MAX]
        if self.create_queues and too_long:
            raise SettingError("queues", f"{too_long[0]} is too long to create with its dead-letter queue "
                               f"{names.DEAD_LETTER_PREFIX}{too_long[0]}. Use at most {names.CREATED_QUEUE_NAME_MAX} characters")
        clashes = [name for name in self.queues if names.DEAD_LETTER_PREFIX + name in self.queues]
        if self.create_queues and clashes:
            raise SettingError("queues", f"{names.DEAD_LETTER_PREFIX}{clashes[0]} is the dead-letter queue of {clashes[0]}, which the "
                               "stack creates itself. Drop it from queues or rename it")
        if getattr(self, "sqs_credentials") == "managed" and not getattr(self, "queue_prefix"):
            raise SettingError("sqsCredentials", f"managed needs a fixed start in queueMatch ({queue_match}) to limit the "
                               "runner's SQS access to those queues. Start queueMatch with one, like ^sqs_")
        if self.autoscaling and nodes_max == nodes_min:
            raise SettingError("autoscaling", f"is true but nodesMin and nodesMax are both {nodes_max}: there is nothing to scale. "
                               "Raise nodesMax above nodesMin")
        if getattr(self, "installs_cluster_autoscaler") and getattr(self, "system_nodes") == 0:
            raise SettingError("autoscaling", "needs system nodes: the autoscaler must not run on the GPU nodes it removes. "
                               "Set systemNodes=1 or more, or autoscaling=false")
        self._check_runners_fit(nodes, nodes_max)
        self._check_warm_hours()
        return self

    def _check_warm_hours(self) -> None:
        if self.warm_hours is None:
            return
        if not self.queue_autoscaling:
            raise SettingError("warmHours", "needs runner autoscaling: KEDA's cron trigger keeps the runners up, and KEDA "
                               "runs only with queues and autoscaling. Set queues=sqs_name (and keep nodesMax above "
                               "nodesMin), or drop warmHours")
        maximum = self.runner_replica_bounds[1]
        if self.warm_runners > maximum:
            raise SettingError("warmRunners", f"{self.warm_runners} is more than the {maximum} runners KEDA may run "
                               f"(runnerMaxReplicas). Give {maximum} or less, or raise nodesMax")

    def _check_runners_fit(self, nodes: int, nodes_max: int) -> None:
        """Runner pods beyond what the GPUs can hold stay Pending for good."""
        replicas, runner_gpus = getattr(self, "runner_replicas"), getattr(self, "runner_gpus")
        per_node, capacity = getattr(self, "runners_per_node"), getattr(self, "runner_capacity")
        if self.runner_max_replicas is not None and self.runner_max_replicas > capacity:
            raise SettingError("runnerMaxReplicas", f"{self.runner_max_replicas} runners do not fit on nodesMax={nodes_max} "
                               f"nodes ({capacity} at runnerGpus={runner_gpus}). Give {capacity} or less, or raise nodesMax")
        if self.runner_max_replicas == 0:
            raise SettingError("runnerMaxReplicas", "0 leaves no runner to scale up to. Give 1 or more, or leave it unset")
        if self.queue_autoscaling:
            return  # KEDA sets the replicas, within runnerMaxReplicas
        if not self.autoscaling_enabled and nodes == 0 and replicas > 0:
            raise SettingError("nodes", f"0 GPU nodes with autoscaling off: the runner's {replicas} pod(s) would wait for a GPU "
                               "forever. Give nodes=1 or more, turn autoscaling on, or set runnerReplicas=0")
        held = per_node * (nodes_max if self.autoscaling_enabled else nodes)
        if replicas > held:
            where = f"nodesMax={nodes_max} nodes" if self.autoscaling_enabled else f"nodes={nodes} nodes with autoscaling off"
            raise SettingError("runnerReplicas", f"{replicas} runners do not fit on {where} ({held} at runnerGpus={runner_gpus}). "
                               f"Give {held} or less, or add nodes")

    # --- derived values -------------------------------------------------------------------
    @property
    def runner_queue_match(self) -> str:
        """The runner's QUEUE_MATCH. With sqsCredentials=managed and queues listed, the runner's user may read only those
        queues (stacks/managed_runner_credentials.py): queueMatch alone would also match other queues of the account,
        where the runner would get AccessDenied, so it serves exactly the listed ones (each already matches queueMatch)."""
        if getattr(self, "sqs_credentials") == "managed" and self.queues:
            return "^(?:" + "|".join(name.replace(".", "\\.") for name in self.queues) + ")$"
        return cast(str, getattr(self, "queue_match"))

    @property
    def autoscaling_enabled(self) -> bool:
        """Explicit setting, else on whenever there is room between nodesMin and nodesMax."""
        return self.autoscaling if self.autoscaling is not None else getattr(self, "nodes_max") > getattr(self, "nodes_min")

    @property
    def queue_autoscaling(self) -> bool:
        """KEDA owns the runner's replica count when autoscaling is on and there are queues to watch."""
        return self.autoscaling_enabled and bool(self.queues)

    @property
    def warm_window(self) -> WarmHours | None:
        """warmHours as days, times and zone; None when unset."""
        return parse_warm_hours(self.warm_hours) if self.warm_hours else None

    @property
    def runner_replica_bounds(self) -> tuple[int, int]:
        """(min, max) runner pods for KEDA: none when no GPU node must stay up, else what the always-on nodes hold."""
        maximum = self.runner_max_replicas or getattr(self, "runner_capacity")
        return min(getattr(self, "nodes_min") * getattr(self, "runners_per_node"), maximum), maximum
