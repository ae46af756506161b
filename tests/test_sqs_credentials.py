"""The SQS credential file checks: every error path with its exact message, and no secret in any message."""
from __future__ import annotations

from pathlib import Path

import pytest

from domain import small_files
from domain.credential_files import SqsCredentialsError, read_sqs_credential_files, validate_sqs_credential_texts

# Canary values: fake, and easy to spot if a message ever quotes them.
KEY_ID = "CANARYKEYIDNOTREAL02"
SECRET_KEY = "canary/SecretAccessKey+doNotPrint0000000"
CANARIES = (KEY_ID, SECRET_KEY)

GOOD_CREDENTIALS = f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
GOOD_CONFIG = "[default]\nregion = us-east-1\noutput = json\n"


def write(tmp_path: Path, credentials: str = GOOD_CREDENTIALS, config: str = GOOD_CONFIG) -> tuple[Path, Path]:
    (tmp_path / "credentials").write_text(credentials)
    (tmp_path / "config").write_text(config)
    return tmp_path / "credentials", tmp_path / "config"


def error_for(tmp_path: Path, **texts: str) -> SqsCredentialsError:
    with pytest.raises(SqsCredentialsError) as caught:
        read_sqs_credential_files(*write(tmp_path, **texts))
    for canary in CANARIES:
        assert canary not in str(caught.value), "an error message quoted a secret value"
    return caught.value


def test_good_files_are_cut_down_to_what_the_runner_reads(tmp_path: Path) -> None:
    files = read_sqs_credential_files(*write(tmp_path))
    assert files.credentials == GOOD_CREDENTIALS
    assert files.config == "[default]\nregion = us-east-1\n"  # `output = json` is not the runner's
    assert SECRET_KEY not in repr(files)


def test_other_profiles_and_lines_never_reach_the_runner_files(tmp_path: Path) -> None:
    # leaf-ai/studio-go-runner 0.14.2 internal/aws/credentials.go (AWSExtractCreds): the region is the
    # first `region=` line of the file that has one, the other file is read with profile "default"
    # (aws-sdk-go shared credentials: aws_access_key_id, aws_secret_access_key, aws_session_token).
    credentials = ("[ci]\naws_access_key_id = OTHER-PROFILE-KEY-ID\naws_secret_access_key = other-profile-secret\n\n"
                   f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
                   "aws_session_token = session-token-kept\nregion = ap-south-1\nmfa_serial = arn:aws:iam::1:mfa/unrelated\n")
    config = ("[default]\nregion = eu-west-1\ncli_pager = unrelated-config-line\n\n"
              "[profile ci]\nregion = us-east-2\nrole_arn = arn:aws:iam::1:role/unrelated\n")
    files = read_sqs_credential_files(*write(tmp_path, credentials=credentials, config=config))
    assert files.credentials == (f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n"
                                 "aws_session_token = session-token-kept\n")
    assert files.config == "[default]\nregion = eu-west-1\n"
    for unrelated in ("OTHER-PROFILE", "other-profile-secret", "ap-south-1", "mfa", "unrelated", "us-east-2", "[ci]"):
        assert unrelated not in files.credentials + files.config


def test_profile_default_spelling_of_the_config_is_accepted(tmp_path: Path) -> None:
    # The AWS CLI writes `[profile name]` in ~/.aws/config; the runner's SDK reads `default` from either spelling.
    files = read_sqs_credential_files(*write(tmp_path, config="[profile default]\nregion = eu-west-1\n"))
    assert "eu-west-1" in files.config


def test_missing_credentials_file(tmp_path: Path) -> None:
    _, config = write(tmp_path)
    missing = tmp_path / "nope"
    with pytest.raises(SqsCredentialsError) as caught:
        read_sqs_credential_files(missing, config)
    assert caught.value.setting == "sqsCredentialsFile"
    assert caught.value.message == (
        f"{missing} does not exist. Run `aws configure` with the SQS user's keys, "
        "or point sqsCredentialsFile at the right file."
    )
    assert str(caught.value) == f"sqsCredentialsFile: {caught.value.message}"


def test_missing_config_file(tmp_path: Path) -> None:
    credentials, _ = write(tmp_path)
    missing = tmp_path / "nope"
    with pytest.raises(SqsCredentialsError) as caught:
        read_sqs_credential_files(credentials, missing)
    assert caught.value.setting == "sqsConfigFile"
    assert caught.value.message == (
        f"{missing} does not exist. Run `aws configure` with the SQS user's keys, or point sqsConfigFile at the right file."
    )


def test_directory_instead_of_file(tmp_path: Path) -> None:
    _, config = write(tmp_path)
    with pytest.raises(SqsCredentialsError) as caught:
        read_sqs_credential_files(tmp_path, config)
    assert caught.value.message == f"{tmp_path} is a directory, not a file. Point sqsCredentialsFile at the file itself."


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials, config = write(tmp_path)

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")  # chmod 0 does not stop root, who runs CI

    monkeypatch.setattr(small_files.os, "open", denied)
    with pytest.raises(SqsCredentialsError) as caught:
        read_sqs_credential_files(credentials, config)
    assert caught.value.message == (
        f"{credentials} cannot be read: permission denied. Make it readable by your user (chmod 600 {credentials})."
    )


@pytest.mark.parametrize("blank", ["", "  \n\n"])
def test_empty_credentials_file(tmp_path: Path, blank: str) -> None:
    err = error_for(tmp_path, credentials=blank)
    assert (err.setting, err.message) == (
        "sqsCredentialsFile",
        f"{tmp_path / 'credentials'} is empty. Write the SQS user's settings into it with `aws configure`.",
    )


def test_empty_config_file(tmp_path: Path) -> None:
    err = error_for(tmp_path, config="")
    assert (err.setting, err.message) == (
        "sqsConfigFile",
        f"{tmp_path / 'config'} is empty. Write the SQS user's settings into it with `aws configure`.",
    )


def test_credentials_without_default_section(tmp_path: Path) -> None:
    err = error_for(tmp_path, credentials=GOOD_CREDENTIALS.replace("[default]", "[sqs]"))
    assert (err.setting, err.message) == (
        "sqsCredentialsFile",
        f"{tmp_path / 'credentials'} has no [default] section, the only profile the runner reads. "
        "Add a [default] section with aws_access_key_id and aws_secret_access_key of the SQS user.",
    )


def test_default_section_without_secret_key(tmp_path: Path) -> None:
    err = error_for(tmp_path, credentials=f"[default]\naws_access_key_id = {KEY_ID}\n[other]\naws_secret_access_key = {SECRET_KEY}\n")
    assert (err.setting, err.message) == (
        "sqsCredentialsFile",
        f"the [default] section of {tmp_path / 'credentials'} has no aws_secret_access_key. "
        "Add aws_secret_access_key of the SQS user to [default].",
    )


def test_default_section_with_empty_keys(tmp_path: Path) -> None:
    err = error_for(tmp_path, credentials="[default]\naws_access_key_id =\naws_secret_access_key = \n")
    assert err.message == (
        f"the [default] section of {tmp_path / 'credentials'} has no aws_access_key_id and aws_secret_access_key. "
        "Add aws_access_key_id and aws_secret_access_key of the SQS user to [default]."
    )


def test_config_without_region(tmp_path: Path) -> None:
    err = error_for(tmp_path, config="[default]\noutput = json\n[profile other]\nregion = eu-west-1\n")
    assert (err.setting, err.message) == (
        "sqsConfigFile",
        f"{tmp_path / 'config'} has no region in [default] or [profile default], and the runner takes the SQS region from it. "
        "Add `region = <the queues' region>` under [default].",
    )


def test_config_whose_first_region_is_another_profiles(tmp_path: Path) -> None:
    err = error_for(tmp_path, config="[profile other]\nregion = eu-west-1\n[default]\nregion = us-east-1\n")
    assert err.message == (
        f"{tmp_path / 'config'} sets region in [profile other] before [default], and the runner uses the first region line "
        "of the file. Move the [default] section to the top of the file."
    )


def test_unparseable_credentials_never_quote_the_line(tmp_path: Path) -> None:
    # A key pasted above any section header: configparser's own message would quote it.
    err = error_for(tmp_path, credentials=f"aws_secret_access_key = {SECRET_KEY}\n{GOOD_CREDENTIALS}")
    assert err.message == (
        f"{tmp_path / 'credentials'} is not a valid AWS INI file (line 1). "
        "Fix that line so the file has only `[section]` headers and `name = value` lines."
    )


def test_texts_are_checked_without_files() -> None:
    validate_sqs_credential_texts(GOOD_CREDENTIALS, GOOD_CONFIG)
    with pytest.raises(SqsCredentialsError) as caught:
        validate_sqs_credential_texts(GOOD_CREDENTIALS, "[default]\n", config_source="secret studioml-runner/aws-sqs")
    assert caught.value.setting == "sqsConfigFile"
    assert caught.value.message.startswith("secret studioml-runner/aws-sqs has no region in [default]")


def test_line_that_is_not_name_value_is_named_not_quoted(tmp_path: Path) -> None:
    err = error_for(tmp_path, credentials=f"{GOOD_CREDENTIALS}{SECRET_KEY}\n")
    assert err.message.startswith(f"{tmp_path / 'credentials'} is not a valid AWS INI file (line 4). ")
