"""Secret `studioml-runner-aws-sqs`: the AWS credentials and config files the runner reads for SQS.

Two ways to render it:
- `file` mode (the runbook's way): a plain Secret holding both files. Its values end up in the
  CloudFormation template, `cdk.out` and the kubectl handler's logs; for trials only.
- `secretsmanager` mode: a SecretStore and an ExternalSecret; the External Secrets Operator
  (`stacks/addons/external_secrets`) copies the JSON properties `credentials` and `config` of a
  Secrets Manager secret into the same Secret inside the cluster. No value leaves AWS in the template.
"""
from __future__ import annotations

import base64

import cdk8s
from constructs import Construct

from domain.credential_files import SqsCredentialFiles, runner_view

# ESO 0.17 stopped serving v1beta1; v1 is the only API the External Secrets releases the add-on pins serve.
ESO_API_VERSION = "external-secrets.io/v1"

SECRET_NAME = "studioml-runner-aws-sqs"
SECRET_STORE_NAME = "studioml-aws-secrets-manager"
# Key names are the file names the runner finds in /runner/certs/aws-sqs/default/.
CREDENTIALS_KEY = "credentials"
CONFIG_KEY = "config"
# How soon a new version written by `make sqs-secret` reaches the pods; 4 reads an hour cost nothing.
REFRESH_INTERVAL = "15m"
LABELS: dict[str, str] = {"app": "studioml-go-runner"}


class SqsCredentialsChart(cdk8s.Chart):
    """The runner's SQS credentials Secret, from the files or from AWS Secrets Manager."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        region: str,
        secrets_manager_secret_name: str | None = None,
        files: SqsCredentialFiles | None = None,
    ) -> None:
        _check_arguments(region, secrets_manager_secret_name, files)
        super().__init__(scope, id, namespace=namespace)

        self.secret: cdk8s.ApiObject | None = None
        self.secret_store: cdk8s.ApiObject | None = None
        self.external_secret: cdk8s.ApiObject | None = None
        if files is not None:
            self.secret = _secret(self, files)
        elif secrets_manager_secret_name is not None:
            self.secret_store = _secret_store(self, region)
            self.external_secret = _external_secret(self, secrets_manager_secret_name)


def _check_arguments(region: str, secrets_manager_secret_name: str | None, files: SqsCredentialFiles | None) -> None:
    if (secrets_manager_secret_name is None) == (files is None):
        raise ValueError("give exactly one of secrets_manager_secret_name and files")
    if files is None and not secrets_manager_secret_name:
        raise ValueError("secrets_manager_secret_name must not be empty")
    if files is None and not region:
        raise ValueError("region must name the AWS region of the Secrets Manager secret")


def _metadata(name: str) -> cdk8s.ApiObjectMetadata:
    return cdk8s.ApiObjectMetadata(name=name, labels=dict(LABELS))


def _secret(scope: Construct, files: SqsCredentialFiles) -> cdk8s.ApiObject:
    # Only what the runner reads, however the files were obtained: other profiles never reach the template.
    files = runner_view(files.credentials, files.config)
    secret = cdk8s.ApiObject(scope, "Secret", api_version="v1", kind="Secret", metadata=_metadata(SECRET_NAME))
    secret.add_json_patch(cdk8s.JsonPatch.add("/type", "Opaque"))
    secret.add_json_patch(
        cdk8s.JsonPatch.add("/data", {CREDENTIALS_KEY: _base64(files.credentials), CONFIG_KEY: _base64(files.config)})
    )
    return secret


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _secret_store(scope: Construct, region: str) -> cdk8s.ApiObject:
    store = cdk8s.ApiObject(
        scope, "SecretStore", api_version=ESO_API_VERSION, kind="SecretStore", metadata=_metadata(SECRET_STORE_NAME)
    )
    # No `auth` and no `role`: the controller's own EKS Pod Identity role, which may read only
    # the one secret, is used through the AWS SDK's default credential chain.
    store.add_json_patch(
        cdk8s.JsonPatch.add("/spec", {"provider": {"aws": {"service": "SecretsManager", "region": region}}})
    )
    return store


def _external_secret(scope: Construct, secrets_manager_secret_name: str) -> cdk8s.ApiObject:
    external_secret = cdk8s.ApiObject(
        scope, "ExternalSecret", api_version=ESO_API_VERSION, kind="ExternalSecret", metadata=_metadata(SECRET_NAME)
    )
    external_secret.add_json_patch(
        cdk8s.JsonPatch.add(
            "/spec",
            {
                "refreshInterval": REFRESH_INTERVAL,
                "secretStoreRef": {"kind": "SecretStore", "name": SECRET_STORE_NAME},
                "target": {
                    "name": SECRET_NAME,
                    # Owner: the Secret is deleted with the ExternalSecret; Retain: a secret deleted
                    # in AWS does not delete the running runner's credentials.
                    "creationPolicy": "Owner",
                    "deletionPolicy": "Retain",
                },
                "data": [
                    {"secretKey": key, "remoteRef": {"key": secrets_manager_secret_name, "property": key}}
                    for key in (CREDENTIALS_KEY, CONFIG_KEY)
                ],
            },
        )
    )
    return external_secret
