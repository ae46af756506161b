"""Continuous delivery: the CDK Pipelines source, branch and connection, and the targets it deploys to in order."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

from domain.regions import is_region
from settings.errors import SettingError
from settings.fields import SettingsBase, setting
from settings.types import Branch, CommaList, ConnectionArn, Flag, Repository, quoted

# A target's name is its CDK Stage id (a letter, then letters, digits, `-`) and its CodePipeline stage name (at most 100).
_TARGET = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9-]{0,99})=(?P<account>[0-9]{12})/(?P<region>[a-z0-9-]{1,30})", re.ASCII)


@dataclass(frozen=True)
class PipelineTarget:
    """One stage of the pipeline: a name and the environment the cluster stack deploys to."""
    name: str
    account: str
    region: str


def _targets(value: list[str]) -> list[str]:
    seen_names: set[str] = set()
    seen_places: set[tuple[str, str]] = set()
    for target in value:
        match = _TARGET.fullmatch(target)
        if not match:
            raise ValueError(f"{quoted(target)} is not a target. Write each as name=account/region, like prod=123456789012/us-west-2")
        name, account, region = match.group("name", "account", "region")
        if not is_region(region):
            raise ValueError(f"{name} deploys to {region}, which is not an AWS region. Use a region name such as us-west-2")
        if name in seen_names:
            raise ValueError(f"{name} is named twice. Give each target its own name")
        if (account, region) in seen_places:
            raise ValueError(f"{name} deploys to {account}/{region} like an earlier target, and both would own one stack. "
                             "Give each target its own account or region")
        seen_names.add(name)
        seen_places.add((account, region))
    return value


class DeliverySettings(SettingsBase):
    pipeline: Flag = setting(False, meaning="synthesize the CDK Pipelines stack instead of the cluster stack")
    pipeline_repository: Repository | None = setting(None, meaning="`owner/name` of the source repository (required with `pipeline`)")
    pipeline_branch: Branch = setting("main", meaning="branch whose pushes run the pipeline")
    pipeline_connection_arn: ConnectionArn | None = setting(None, meaning="CodeConnections (CodeStar connection) ARN "
                                                            "(required with `pipeline`)")
    pipeline_targets: Annotated[CommaList, AfterValidator(_targets)] = setting(
        [], meaning="where the pipeline deploys, in order: comma list of `name=account/region`",
        default_text="one target `prod` in the pipeline's own account and region")

    def check(self) -> None:
        for name, value, example in (("pipelineRepository", self.pipeline_repository, "my-org/studio-gpu-cluster"),
                                     ("pipelineConnectionArn", self.pipeline_connection_arn,
                                      "arn:aws:codeconnections:us-west-2:123456789012:connection/<id>")):
            if self.pipeline and value is None:
                raise SettingError(name, f"is required with pipeline=true. Set it in cdk.json's context, like {example}")

    # --- derived values -------------------------------------------------------------------
    def targets(self, account: str | None, region: str) -> list[PipelineTarget]:
        """The pipeline's stages, in deploy order; by default one `prod` in the pipeline's own account and region."""
        if not self.pipeline_targets:
            return [PipelineTarget("prod", account or "", region)]
        return [PipelineTarget(name, *where.split("/")) for name, where in (t.split("=") for t in self.pipeline_targets)]
