"""Checks the two AWS files the runner reads for SQS, before they go anywhere near a cluster.

Runner 0.14 scans each subdirectory of its SQS certs directory for exactly two files: the one
with a `region=` line is the config (the region comes from the first such line, whatever section
it is in), the other is a shared credentials file read with profile `default`. A bad file fails
silently in the cluster (the runner just sees no queues), so every check here fails loudly, on
the workstation, with what is wrong and what to do. Messages never quote a value from the files.
"""
from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path

from domain.regions import is_region
from domain.setting_fault import SettingFault
from domain.small_files import FileProblem, read_small_text_file

CREDENTIALS_SETTING = "sqsCredentialsFile"
CONFIG_SETTING = "sqsConfigFile"

DEFAULT_PROFILE = "default"
REQUIRED_CREDENTIAL_KEYS = ("aws_access_key_id", "aws_secret_access_key")
# The only other key of [default] the runner's AWS SDK reads from a credentials file (temporary keys).
OPTIONAL_CREDENTIAL_KEYS = ("aws_session_token",)
# `aws configure` writes [default] in the config file; [profile default] is the other spelling
# the AWS CLI accepts for the same profile.
DEFAULT_CONFIG_SECTIONS = ("default", "profile default")


class SqsCredentialsError(SettingFault):
    """A credentials or config file the runner could not use; `setting` names the file's setting."""


@dataclass(frozen=True)
class SqsCredentialFiles:
    """Both files, checked and cut down to what the runner reads: what goes into Secret `studioml-runner-aws-sqs`."""

    credentials: str
    config: str

    def __repr__(self) -> str:  # keep the keys out of logs and test failure output
        return "SqsCredentialFiles(credentials=<redacted>, config=<redacted>)"


def read_sqs_credential_files(credentials_path: Path, config_path: Path) -> SqsCredentialFiles:
    """Read and check both files; raises SqsCredentialsError naming the setting at fault."""
    credentials = _read_text(CREDENTIALS_SETTING, Path(credentials_path))
    config = _read_text(CONFIG_SETTING, Path(config_path))
    validate_sqs_credential_texts(
        credentials, config, credentials_source=str(credentials_path), config_source=str(config_path)
    )
    return runner_view(credentials, config)


def runner_view(credentials: str, config: str) -> SqsCredentialFiles:
    """Only the [default] keys and the region line: other profiles' keys and settings never leave the workstation.

    Runner 0.14.2 (internal/aws/credentials.go, AWSExtractCreds) takes the first `region=` line of
    the file that has one, and reads the other with profile `default`; nothing else is read. A
    region line left in the credentials file would even make it pass for the config: none is kept.
    Call after the texts are validated.
    """
    keys = _parse(CREDENTIALS_SETTING, credentials, "the credentials text")[DEFAULT_PROFILE]
    kept = [f"{key} = {keys[key].strip()}" for key in (*REQUIRED_CREDENTIAL_KEYS, *OPTIONAL_CREDENTIAL_KEYS) if keys.get(key, "").strip()]
    region = _parse(CONFIG_SETTING, config, "the config text")[_first_region_section_of(config)]["region"].strip()
    return SqsCredentialFiles(credentials="\n".join([f"[{DEFAULT_PROFILE}]", *kept]) + "\n",
                              config=f"[{DEFAULT_PROFILE}]\nregion = {region}\n")


def _first_region_section_of(config: str) -> str:
    section = _first_region_section(_parse(CONFIG_SETTING, config, "the config text"))
    assert section in DEFAULT_CONFIG_SECTIONS, "runner_view needs a validated config"
    return section


def validate_sqs_credential_texts(
    credentials: str,
    config: str,
    *,
    credentials_source: str = "the credentials text",
    config_source: str = "the config text",
) -> None:
    """Check file contents however they were obtained; the sources name them in messages."""
    _check_credentials(credentials, credentials_source)
    _check_config(config, config_source)


def _read_text(setting: str, path: Path) -> str:
    try:
        return read_small_text_file(path, what="the AWS file `aws configure` writes")
    except FileProblem as err:
        advice = {
            "missing": f"{path} does not exist. Run `aws configure` with the SQS user's keys, or point {setting} at the right file.",
            "directory": f"{path} is a directory, not a file. Point {setting} at the file itself.",
            "permission": f"{path} cannot be read: permission denied. Make it readable by your user (chmod 600 {path}).",
            "not-text": f"{path} is not UTF-8 text. Point {setting} at the AWS file written by `aws configure`.",
        }
        raise SqsCredentialsError(setting, advice.get(err.kind, str(err))) from None


def _parse(setting: str, text: str, source: str) -> configparser.ConfigParser:
    if not text.strip():
        raise SqsCredentialsError(setting, f"{source} is empty. Write the SQS user's settings into it with `aws configure`.")
    # AWS files have no inheritance: [DEFAULT] is just another profile name there, so the
    # special section is renamed to something no header can spell.
    parser = configparser.ConfigParser(interpolation=None, default_section="\0")
    try:
        parser.read_string(text, source=source)
    except configparser.Error as err:
        # configparser's own messages quote the offending line, which may hold a key: name the line only.
        raise SqsCredentialsError(
            setting,
            f"{source} is not a valid AWS INI file (line {_error_line(err)}). "
            f"Fix that line so the file has only `[section]` headers and `name = value` lines.",
        ) from None
    return parser


def _error_line(err: configparser.Error) -> str:
    lineno = getattr(err, "lineno", None)
    if isinstance(lineno, int):  # missing header, duplicate section or option
        return str(lineno)
    errors = getattr(err, "errors", [])  # ParsingError: every line that is not `name = value`
    return ", ".join(str(lineno) for lineno, _line in errors) or "?"


def _check_credentials(text: str, source: str) -> None:
    parser = _parse(CREDENTIALS_SETTING, text, source)
    if not parser.has_section(DEFAULT_PROFILE):
        raise SqsCredentialsError(
            CREDENTIALS_SETTING,
            f"{source} has no [default] section, the only profile the runner reads. "
            f"Add a [default] section with aws_access_key_id and aws_secret_access_key of the SQS user.",
        )
    missing = [key for key in REQUIRED_CREDENTIAL_KEYS if not parser.get(DEFAULT_PROFILE, key, fallback="").strip()]
    if missing:
        keys = " and ".join(missing)
        raise SqsCredentialsError(
            CREDENTIALS_SETTING,
            f"the [default] section of {source} has no {keys}. Add {keys} of the SQS user to [default].",
        )
    _check_key_shapes(parser.get(DEFAULT_PROFILE, "aws_access_key_id").strip(),
                      parser.get(DEFAULT_PROFILE, "aws_secret_access_key").strip(),
                      bool(parser.get(DEFAULT_PROFILE, "aws_session_token", fallback="").strip()), source)


# IAM's AccessKeyId is 16 to 128 word characters (IAM API reference, AccessKey); a secret access key is
# 40 characters of base64. A shorter value is a key cut short when it was pasted.
ACCESS_KEY_ID = re.compile(r"[A-Za-z0-9_]{16,128}", re.ASCII)
SECRET_ACCESS_KEY = re.compile(r"[A-Za-z0-9/+]{40}", re.ASCII)


def _check_key_shapes(key_id: str, secret: str, has_session_token: bool, source: str) -> None:
    """Messages name the key, never its value."""
    if not ACCESS_KEY_ID.fullmatch(key_id):
        raise SqsCredentialsError(CREDENTIALS_SETTING, f"the aws_access_key_id in [default] of {source} is not an access key id "
                                  "(16 or more letters and digits): it looks cut short or mistyped. Copy it again from the IAM console.")
    if key_id.startswith("ASIA") and not has_session_token:  # temporary keys (STS) work only with their session token
        raise SqsCredentialsError(CREDENTIALS_SETTING, f"the aws_access_key_id in [default] of {source} is a temporary key, but "
                                  "[default] has no aws_session_token. Add the token, or give the SQS user's long-term access key.")
    if not SECRET_ACCESS_KEY.fullmatch(secret):
        raise SqsCredentialsError(CREDENTIALS_SETTING, f"the aws_secret_access_key in [default] of {source} is not 40 characters of "
                                  "letters, digits, / and +: it looks cut short or mistyped. Copy it again from the IAM console.")


def _check_config(text: str, source: str) -> None:
    parser = _parse(CONFIG_SETTING, text, source)
    default_sections = [s for s in DEFAULT_CONFIG_SECTIONS if parser.get(s, "region", fallback="").strip()]
    if not default_sections:
        raise SqsCredentialsError(
            CONFIG_SETTING,
            f"{source} has no region in [default] or [profile default], and the runner takes the SQS region from it. "
            f"Add `region = <the queues' region>` under [default].",
        )
    region = parser.get(default_sections[0], "region").strip()
    if not is_region(region):
        raise SqsCredentialsError(CONFIG_SETTING, f"{source} sets region to {region[:30]!r}, which is not an AWS region. "
                                  "Set `region = <the queues' region>`, such as us-west-2.")
    # The runner does not parse sections: it takes the first `region=` line of the file.
    first = _first_region_section(parser)
    if first not in DEFAULT_CONFIG_SECTIONS:
        raise SqsCredentialsError(
            CONFIG_SETTING,
            f"{source} sets region in [{first}] before [default], and the runner uses the first region line of the file. "
            f"Move the [default] section to the top of the file.",
        )


def _first_region_section(parser: configparser.ConfigParser) -> str | None:
    for section in parser.sections():
        if parser.get(section, "region", fallback="").strip():
            return section
    return None
