"""Scaling with the queue: node autoscaling, the queues KEDA watches, and how many runners the cluster can hold."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from domain import names
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

    def check(self) -> None:
        """The queues the stack creates, each with a dead-letter queue named after it."""
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

    # --- derived values -------------------------------------------------------------------
    @property
    def warm_window(self) -> WarmHours | None:
        """warmHours as days, times and zone; None when unset."""
        return parse_warm_hours(self.warm_hours) if self.warm_hours else None
