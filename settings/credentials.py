"""Credentials: how the runner gets its SQS keys, and how it pulls a private ECR image."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from settings.fields import SettingsBase, setting
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
