"""`make sqs-secret` (scripts/store_sqs_secret.py) against a stubbed Secrets Manager: fully offline."""
from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from scripts.store_sqs_secret import SECRET_DESCRIPTION, main

REGION = "eu-central-1"
SECRET_NAME = "studioml-runner/aws-sqs"
ARN = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:{SECRET_NAME}-AbCdEf"
VERSION_ID = "0f6c2b3e-9d7a-4c1e-8b5f-2a9d4e6f8a10"
SECRET_KEY_CANARY = "canarySecretAccessKeyDoNotPrint000000000"
CREDENTIALS = f"[default]\naws_access_key_id = CANARYKEYIDNOTREAL01\naws_secret_access_key = {SECRET_KEY_CANARY}\n"
CONFIG = "[default]\nregion = us-east-1\n"
EXPECTED_VALUE = json.dumps({"credentials": CREDENTIALS, "config": CONFIG})


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    (tmp_path / "credentials").write_text(CREDENTIALS)
    (tmp_path / "config").write_text(CONFIG)
    return ["--credentials-file", str(tmp_path / "credentials"), "--config-file", str(tmp_path / "config")]


@pytest.fixture
def client():
    # Dummy keys so botocore signs without looking for real ones; the Stubber answers every call.
    return boto3.client("secretsmanager", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def run(argv: list[str], client, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--region", REGION, "--secret-name", SECRET_NAME, *argv], client=client)
    out, err = capsys.readouterr()
    assert SECRET_KEY_CANARY not in out + err, "the tool printed a secret value"
    return code, out, err


def test_creates_the_secret_when_missing(files: list[str], client, capsys: pytest.CaptureFixture[str]) -> None:
    with Stubber(client) as stub:
        stub.add_client_error("describe_secret", "ResourceNotFoundException", "Secrets Manager can't find the specified secret.", expected_params={"SecretId": SECRET_NAME})
        stub.add_response(
            "create_secret",
            {"ARN": ARN, "Name": SECRET_NAME, "VersionId": VERSION_ID},
            expected_params={"Name": SECRET_NAME, "Description": SECRET_DESCRIPTION, "SecretString": EXPECTED_VALUE},
        )
        code, out, err = run(files, client, capsys)
        stub.assert_no_pending_responses()
    assert (code, err) == (0, "")
    assert out == f"created secret {SECRET_NAME} in {REGION}: version {VERSION_ID}\n"


def test_puts_a_new_version_when_the_secret_exists(files: list[str], client, capsys: pytest.CaptureFixture[str]) -> None:
    with Stubber(client) as stub:
        stub.add_response("describe_secret", {"ARN": ARN, "Name": SECRET_NAME}, expected_params={"SecretId": SECRET_NAME})
        stub.add_response(
            "put_secret_value",
            {"ARN": ARN, "Name": SECRET_NAME, "VersionId": VERSION_ID},
            expected_params={"SecretId": SECRET_NAME, "SecretString": EXPECTED_VALUE},
        )
        code, out, err = run(files, client, capsys)
        stub.assert_no_pending_responses()
    assert (code, err) == (0, "")
    assert out == f"updated secret {SECRET_NAME} in {REGION}: version {VERSION_ID}\n"


def test_aws_error_is_one_line_and_exit_2(files: list[str], client, capsys: pytest.CaptureFixture[str]) -> None:
    with Stubber(client) as stub:
        stub.add_response("describe_secret", {"ARN": ARN, "Name": SECRET_NAME})
        stub.add_client_error("put_secret_value", "AccessDeniedException", "User is not authorized to perform: secretsmanager:PutSecretValue")
        code, out, err = run(files, client, capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"error: Secrets Manager PutSecretValue on {SECRET_NAME} failed: AccessDeniedException: "
        "User is not authorized to perform: secretsmanager:PutSecretValue\n"
    )


def test_describe_error_other_than_not_found_does_not_create(files: list[str], client, capsys: pytest.CaptureFixture[str]) -> None:
    with Stubber(client) as stub:
        stub.add_client_error("describe_secret", "AccessDeniedException", "denied")
        code, _, err = run(files, client, capsys)
        stub.assert_no_pending_responses()  # and no create_secret was attempted: the stub would have raised
    assert code == 2
    assert err == f"error: Secrets Manager DescribeSecret on {SECRET_NAME} failed: AccessDeniedException: denied\n"


def test_bad_file_stops_before_any_aws_call(tmp_path: Path, client, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "credentials").write_text(CREDENTIALS.replace("[default]", "[sqs]"))
    (tmp_path / "config").write_text(CONFIG)
    with Stubber(client):  # no responses queued: any call would fail the test
        code, out, err = run(
            ["--credentials-file", str(tmp_path / "credentials"), "--config-file", str(tmp_path / "config")], client, capsys
        )
    assert (code, out) == (2, "")
    assert err == (
        f"error: sqsCredentialsFile: {tmp_path / 'credentials'} has no [default] section, the only profile the runner reads. "
        "Add a [default] section with aws_access_key_id and aws_secret_access_key of the SQS user.\n"
    )


def test_missing_region_is_a_one_line_error(client, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], client=client) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", "error: the following arguments are required: --region (see --help)\n")


@pytest.mark.parametrize("variable, value, detail", [
    ("AWS_MAX_ATTEMPTS", "abc", "invalid literal for int() with base 10: 'abc'"),
    ("AWS_ENDPOINT_URL", "notaurl", "Invalid endpoint: notaurl"),
    # botocore/config.py: an unknown retry mode is InvalidRetryModeError, a BotoCoreError (tests/test_script_failures.py found it).
    ("AWS_RETRY_MODE", "zzz", "Invalid value provided to \"mode\": \"zzz\" must be one of: ('legacy', 'standard', 'adaptive')"),
])
def test_botocores_own_configuration_errors_are_one_line(files: list[str], monkeypatch, capsys, variable, value, detail) -> None:
    # botocore reads these when it makes the client (botocore/configprovider.py, botocore/endpoint.py).
    monkeypatch.setenv(variable, value)
    code, out, err = run(files, None, capsys)
    assert (code, out) == (2, "")
    assert err == f"error: cannot make a Secrets Manager client: {detail}. Check the AWS_* variables and ~/.aws/config\n"


def test_a_home_of_an_unknown_user_is_one_line(capsys) -> None:
    code, out, err = run(["--credentials-file", "~no-such-user-here/credentials"], None, capsys)
    assert (code, out) == (2, "") and err.startswith("error: cannot read ~no-such-user-here/credentials") and err.count("\n") == 1
