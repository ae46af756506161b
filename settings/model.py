"""The one flat set of settings users see, built from the groups by concern.

Pydantic collects fields along the reversed MRO, so the last base comes first: the bases are listed
in reverse so the fields (and the README table) read cluster, nodes, runner, credentials, scaling, delivery, observability.
Each group's checks run in that order too, after every single value has passed its type.
"""
from __future__ import annotations

from settings.capacity import CapacitySettings
from settings.cluster import ClusterSettings
from settings.credentials import CredentialSettings
from settings.delivery import DeliverySettings, PipelineTarget
from settings.nodes import NodeSettings
from settings.observability import ObservabilitySettings
from settings.runner import RunnerSettings
from settings.scaling import ScalingSettings


# CapacitySettings comes first, so its checks run last: sizing the system nodes needs every other group's answers.
class Settings(CapacitySettings, ObservabilitySettings, DeliverySettings, ScalingSettings, CredentialSettings, RunnerSettings,
               NodeSettings, ClusterSettings):
    """Every setting of the app: name, default, meaning, check and message."""

    def for_target(self, target: PipelineTarget) -> "Settings":
        """The same settings, deployed to one target's account and region."""
        return self.model_copy(update={"account": target.account, "region": target.region})

    @property
    def sources(self) -> dict[str, str]:
        """Where each setting that was not a default came from: `context` or `$VARIABLE`."""
        return dict(self._sources)
