"""One deployment target: the cluster stack in a stage, for `make deploy` and for each stage of the pipeline alike."""
from __future__ import annotations

from typing import Any

from aws_cdk import Environment, Stage
from constructs import Construct

from settings import Settings
from stacks.gpu_cluster_stack import GpuClusterStack, stack_name


class GpuClusterStage(Stage):
    def __init__(self, scope: Construct, id: str, *, settings: Settings, verifier_trusted_account: str | None, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # The stack's name is the one direct mode uses, so a cluster can move from `make deploy` to the pipeline.
        self.cluster_stack = GpuClusterStack(
            self, stack_name(settings.cluster.cluster_name), stack_name=stack_name(settings.cluster.cluster_name), settings=settings,
            verifier_trusted_account=verifier_trusted_account,
            env=Environment(account=settings.cluster.account, region=settings.cluster.region))
