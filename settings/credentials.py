"""Credentials: how the runner gets its SQS keys, and how it pulls a private ECR image."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, PrivateAttr, ValidationInfo, model_validator

from domain.credential_files import SqsCredentialFiles, SqsCredentialsError, read_sqs_credential_files
from domain.images import PRIVATE_ECR_IMAGE
from domain.regions import is_region, partition_of
from settings.errors import SettingError
from settings.fields import SettingsBase, setting
from settings.nodes import expand_home
from settings.types import SecretName, Text, quoted

SQS_CREDENTIAL_MODES = ("secretsmanager", "file", "none", "managed")
ECR_REFRESH_CHOICES = ("auto", "true", "false")


def _mode(value: str) -> str:
    if value not in SQS_CREDENTIAL_MODES:
        raise ValueError(f"{quoted(value)} is not a credentials mode. Use one of {', '.join(SQS_CREDENTIAL_MODES)}")
    return value


def _ecr_refresh(value: str) -> str:
    if value.lower() not in ECR_REFRESH_CHOICES:
        raise ValueError(f"{quoted(value)} is not one of {', '.join(ECR_REFRESH_CHOICES)}. Use auto unless you know better")
    return value.lower()


class CredentialSettings(SettingsBase):
    sqs_credentials: Annotated[Text, AfterValidator(_mode)] = setting(
        "secretsmanager", meaning="`secretsmanager` (synced by External Secrets, nothing in the template), "
        "`file` (read `~/.aws` at synth: values land in the template) or `none`",
        runbook="`kubectl apply` of Secret `studioml-runner-aws-sqs`")
    sqs_secret_name: SecretName = setting("studioml-runner/aws-sqs", meaning="Secrets Manager secret read in `secretsmanager` mode "
                                          "(JSON keys `credentials` and `config`; `make sqs-secret` writes it)")
    sqs_credentials_file: Text = setting("~/.aws/credentials", meaning="read in `file` mode only", runbook="`cat ~/.aws/credentials | base64`")
    sqs_config_file: Text = setting("~/.aws/config", meaning="read in `file` mode only", runbook="`cat ~/.aws/config | base64`")
    ecr_credential_refresh: Annotated[Text, AfterValidator(_ecr_refresh)] = setting(
        "auto", meaning="`true`, `false`, or `auto` = on when `runnerImage` is a private ECR image",
        runbook="CronJob `studioml-go-runner-ecr-cred` with pasted keys")

    _sqs_files: SqsCredentialFiles | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _credential_checks(self, info: ValidationInfo) -> "CredentialSettings":
        image: str = getattr(self, "runner_image")
        match = PRIVATE_ECR_IMAGE.fullmatch(image)
        if match and not is_region(match.group("region")):
            raise SettingError("runnerImage", f"{quoted(image)} names ECR in region {match.group('region')}, which does not exist. "
                               "Copy the image URI from the ECR console")
        if match:
            self._check_ecr_partition(image, match.group("region"), match.group("registry"))
        if self.ecr_credential_refresh == "true" and self.ecr_registry is None:
            raise SettingError("ecrCredentialRefresh", f"is true but runnerImage {image} is not a private ECR image. "
                               "Set it to auto or false")
        if self.sqs_credentials == "file" and getattr(self, "pipeline"):
            raise SettingError("sqsCredentials", "file is refused with pipeline=true: no build machine may hold the runner's keys. "
                               "Use secretsmanager (make sqs-secret) or managed")
        if self.sqs_credentials == "file":  # read now, so a bad file stops the app before anything is synthesized
            home = Path((info.context or {}).get("home") or Path.home())
            try:
                files = read_sqs_credential_files(expand_home(self.sqs_credentials_file, home), expand_home(self.sqs_config_file, home))
            except SqsCredentialsError as err:
                raise SettingError(err.setting, err.message) from None
            self._sqs_files = files
        return self

    def _check_ecr_partition(self, image: str, ecr_region: str, registry: str) -> None:
        """ECR's host ends in .amazonaws.com.cn in the China partition only, and nodes pull with the IAM of their own
        partition: an image in another partition's ECR cannot be pulled."""
        partition = partition_of(ecr_region)
        if registry.endswith(".cn") != (partition == "aws-cn"):
            suffix = ".amazonaws.com.cn" if partition == "aws-cn" else ".amazonaws.com"
            raise SettingError("runnerImage", f"{quoted(image)} names ECR in {ecr_region} (partition {partition}), whose host ends "
                               f"in {suffix}. Copy the image URI from the ECR console")
        cluster_region: str = getattr(self, "region")
        if partition != partition_of(cluster_region):
            raise SettingError("runnerImage", f"{quoted(image)} is in ECR of partition {partition}, but region {cluster_region} is "
                               f"in {partition_of(cluster_region)}: its nodes cannot pull it. Copy the image into ECR of "
                               f"{cluster_region}")

    # --- derived values -------------------------------------------------------------------
    @property
    def sqs_files(self) -> SqsCredentialFiles | None:
        """The checked credential files, in `file` mode only."""
        return self._sqs_files

    @property
    def ecr_registry(self) -> str | None:
        """`<account>.dkr.ecr.<region>.amazonaws.com` when runnerImage is a private ECR image."""
        match = PRIVATE_ECR_IMAGE.fullmatch(getattr(self, "runner_image"))
        return match.group("registry") if match else None

    @property
    def ecr_refresh(self) -> bool:
        if self.ecr_credential_refresh == "auto":
            return self.ecr_registry is not None
        return self.ecr_credential_refresh == "true"
