"""`make sqs-secret`: check the runner's SQS credential files and store them in AWS Secrets Manager.

    python scripts/store_sqs_secret.py --secret-name studioml-runner/aws-sqs --region us-east-1 \
        [--credentials-file ~/.aws/credentials] [--config-file ~/.aws/config]

The secret's value is the JSON object {"credentials": <file text>, "config": <file text>}, the
properties the cluster's ExternalSecret reads (`charts/sqs_credentials.py`). The secret is
created when missing, else given a new version. Errors are one `error: ...` line on stderr and
exit status 2; no value from the files is ever printed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

if __package__ in (None, ""):  # run as a script: make the project's top-level modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

from domain.credential_files import SqsCredentialFiles, SqsCredentialsError, read_sqs_credential_files  # noqa: E402

DEFAULT_SECRET_NAME = "studioml-runner/aws-sqs"
DEFAULT_CREDENTIALS_FILE = "~/.aws/credentials"
DEFAULT_CONFIG_FILE = "~/.aws/config"
SECRET_DESCRIPTION = (
    "SQS credentials and config files for the studio-go-runner; synced into the cluster as "
    "Secret studioml-runner-aws-sqs by the External Secrets Operator."
)
EXIT_ERROR = 2


def main(argv: list[str] | None = None, client: Any = None) -> int:
    """Entry point; `client` is a Secrets Manager client (tests pass a stubbed one)."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as err:
        return _fail(f"{err} (see --help)")
    try:
        files = read_sqs_credential_files(
            Path(args.credentials_file).expanduser(), Path(args.config_file).expanduser()
        )
    except SqsCredentialsError as err:
        return _fail(str(err))
    except RuntimeError as err:  # Path.expanduser: `~user` of a user this machine does not know
        return _fail(f"cannot read {args.credentials_file} or {args.config_file}: {err}")

    try:
        if client is None:
            client = boto3.client("secretsmanager", region_name=args.region)
    except (ValueError, BotoCoreError) as err:  # botocore's own configuration: AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, the profile
        return _fail(f"cannot make a Secrets Manager client: {err}. Check the AWS_* variables and ~/.aws/config")
    try:
        action, version = _store(client, args.secret_name, files)
    except ClientError as err:
        error = err.response.get("Error", {})
        return _fail(f"Secrets Manager {err.operation_name} on {args.secret_name} failed: {error.get('Code')}: {error.get('Message')}")
    except BotoCoreError as err:  # no credentials, no network, bad region
        return _fail(f"Secrets Manager call on {args.secret_name} failed: {err}")

    print(f"{action} secret {args.secret_name} in {args.region}: version {version}")
    return 0


class _UsageError(Exception):
    pass


class _OneLineErrorParser(argparse.ArgumentParser):
    """argparse prints usage over several lines; this tool's errors are one line."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineErrorParser(description="Check the runner's SQS credential files and store them in AWS Secrets Manager.")
    parser.add_argument("--secret-name", default=DEFAULT_SECRET_NAME, help=f"Secrets Manager secret name (default {DEFAULT_SECRET_NAME})")
    parser.add_argument("--region", required=True, help="AWS region of the secret (the cluster's region)")
    parser.add_argument("--credentials-file", default=DEFAULT_CREDENTIALS_FILE, help=f"AWS shared credentials file (default {DEFAULT_CREDENTIALS_FILE})")
    parser.add_argument("--config-file", default=DEFAULT_CONFIG_FILE, help=f"AWS config file with the region (default {DEFAULT_CONFIG_FILE})")
    return parser


def _store(client: Any, secret_name: str, files: SqsCredentialFiles) -> tuple[str, str]:
    """Create the secret or put a new version; returns what was done and the version id."""
    value = json.dumps({"credentials": files.credentials, "config": files.config})
    try:
        client.describe_secret(SecretId=secret_name)  # asked first, so the value is sent only once
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        created = client.create_secret(Name=secret_name, Description=SECRET_DESCRIPTION, SecretString=value)
        return "created", created["VersionId"]
    updated = client.put_secret_value(SecretId=secret_name, SecretString=value)
    return "updated", updated["VersionId"]


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)  # always one line
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
