"""SqsCredentialsChart in both modes."""
from __future__ import annotations

import base64
import json
import re

import cdk8s
import pytest

from charts.sqs_credentials import ESO_API_VERSION, SECRET_NAME, SECRET_STORE_NAME, SqsCredentialsChart
from domain.credential_files import SqsCredentialFiles
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import Manifest, find, names, validate_strict

KUBERNETES_VERSIONS = SUPPORTED_KUBERNETES_VERSIONS
NAMESPACE = "studioml"
REGION = "eu-central-1"
SM_SECRET = "studioml-runner/aws-sqs"
SECRET_KEY_CANARY = "canarySecretAccessKeyDoNotRender000000000"
FILES = SqsCredentialFiles(
    credentials=f"[default]\naws_access_key_id = CANARY-KEY-ID-NOT-REAL-1\naws_secret_access_key = {SECRET_KEY_CANARY}\n",
    config="[default]\nregion = us-east-1\n",
)


def synth(**kwargs: object) -> list[Manifest]:
    chart = SqsCredentialsChart(cdk8s.Testing.app(), "sqs", namespace=NAMESPACE, region=REGION, **kwargs)
    return [dict(o) for o in cdk8s.Testing.synth(chart)]


@pytest.fixture(scope="module")
def file_mode() -> list[Manifest]:
    return synth(files=FILES)


@pytest.fixture(scope="module")
def secretsmanager_mode() -> list[Manifest]:
    return synth(secrets_manager_secret_name=SM_SECRET)


# --- file mode ---------------------------------------------------------------------------------

def test_file_mode_renders_only_the_secret(file_mode: list[Manifest]) -> None:
    assert names(file_mode) == [f"Secret/{SECRET_NAME}"]


def test_file_mode_secret_holds_both_files_under_the_runner_file_names(file_mode: list[Manifest]) -> None:
    secret = find(file_mode, "Secret", SECRET_NAME)
    assert secret["metadata"]["namespace"] == NAMESPACE
    assert secret["type"] == "Opaque"
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert decoded == {"credentials": FILES.credentials, "config": FILES.config}


def test_file_mode_secret_drops_what_the_runner_does_not_read() -> None:
    # leaf-ai/studio-go-runner 0.14.2 internal/aws/credentials.go: profile `default` of the credentials
    # file, and the first `region=` line of the config; nothing else.
    extra = SqsCredentialFiles(credentials=FILES.credentials + "\n[admin]\naws_access_key_id = ADMIN-KEY\naws_secret_access_key = admin-secret\n",
                               config=FILES.config + "output = json\n\n[profile admin]\nregion = eu-west-1\n")
    secret = find(synth(files=extra), "Secret", SECRET_NAME)
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert decoded == {"credentials": FILES.credentials, "config": FILES.config}


# --- secretsmanager mode -----------------------------------------------------------------------

def test_secretsmanager_mode_renders_store_and_external_secret_but_no_secret(secretsmanager_mode: list[Manifest]) -> None:
    assert sorted(names(secretsmanager_mode)) == [f"ExternalSecret/{SECRET_NAME}", f"SecretStore/{SECRET_STORE_NAME}"]


def test_secret_store_uses_secrets_manager_with_the_controllers_own_identity(secretsmanager_mode: list[Manifest]) -> None:
    store = find(secretsmanager_mode, "SecretStore", SECRET_STORE_NAME)
    assert store["apiVersion"] == "external-secrets.io/v1"
    assert store["metadata"]["namespace"] == NAMESPACE
    # No auth, role or secretRef: static keys here would defeat the point.
    assert store["spec"] == {"provider": {"aws": {"service": "SecretsManager", "region": REGION}}}


def test_external_secret_fills_the_runner_secret_from_the_json_properties(secretsmanager_mode: list[Manifest]) -> None:
    spec = find(secretsmanager_mode, "ExternalSecret", SECRET_NAME)["spec"]
    assert spec["secretStoreRef"] == {"kind": "SecretStore", "name": SECRET_STORE_NAME}
    assert spec["target"]["name"] == SECRET_NAME
    assert spec["target"]["creationPolicy"] == "Owner"
    assert re.fullmatch(r"\d+[smh]", spec["refreshInterval"])
    by_key = {item["secretKey"]: item["remoteRef"] for item in spec["data"]}
    assert by_key == {
        "credentials": {"key": SM_SECRET, "property": "credentials"},
        "config": {"key": SM_SECRET, "property": "config"},
    }


def test_no_secret_value_in_secretsmanager_output(secretsmanager_mode: list[Manifest]) -> None:
    rendered = json.dumps(secretsmanager_mode)
    for value in (SECRET_KEY_CANARY, "aws_secret_access_key", "AKIA"):
        assert value not in rendered


# --- both --------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid(file_mode: list[Manifest], secretsmanager_mode: list[Manifest], version: str) -> None:
    validate_strict(file_mode, version)
    validate_strict(secretsmanager_mode, version)


def test_crd_required_list_fields_of_external_secret(secretsmanager_mode: list[Manifest]) -> None:
    # The CRD requires these in every spec.data item; tests/crd_fields.py cannot reach into lists.
    for item in find(secretsmanager_mode, "ExternalSecret", SECRET_NAME)["spec"]["data"]:
        assert re.fullmatch(r"[-._a-zA-Z0-9]+", item["secretKey"])
        assert item["remoteRef"]["key"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give exactly one of secrets_manager_secret_name and files"),
        ({"files": FILES, "secrets_manager_secret_name": SM_SECRET}, "give exactly one of secrets_manager_secret_name and files"),
        ({"secrets_manager_secret_name": ""}, "secrets_manager_secret_name must not be empty"),
        ({"secrets_manager_secret_name": SM_SECRET, "region": ""}, "region must name the AWS region of the Secrets Manager secret"),
    ],
)
def test_bad_argument_combinations(kwargs: dict, message: str) -> None:
    kwargs = {"namespace": NAMESPACE, "region": REGION, **kwargs}
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        SqsCredentialsChart(cdk8s.Testing.app(), "sqs", **kwargs)


def test_eso_objects_use_the_v1_api() -> None:
    # ESO 0.17 stopped serving v1beta1 (external-secrets release notes); every release pinned serves v1.
    assert ESO_API_VERSION == "external-secrets.io/v1"
