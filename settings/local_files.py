"""The files some settings point at, read once every check has passed, so a bad file stops the app before anything is synthesized.

`sshPublicKey` names an OpenSSH public key; with `sqsCredentials=file`, `sqsCredentialsFile` and `sqsConfigFile` name
the runner's SQS credentials and config. `~` is the HOME the app was given, so tests and CI never read the real one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.credential_files import SqsCredentialFiles, SqsCredentialsError, read_sqs_credential_files
from domain.small_files import FileProblem, read_small_text_file
from domain.ssh_keys import key_problem
from settings.credentials import CredentialSettings
from settings.errors import SettingError
from settings.nodes import NodeSettings


@dataclass(frozen=True)
class SshPublicKey:
    path: Path
    material: str


@dataclass(frozen=True)
class LocalFiles:
    """What the settings read from disk: the nodes' SSH key, and the SQS credential files in `file` mode."""
    ssh_key: SshPublicKey | None = None
    sqs_files: SqsCredentialFiles | None = None


def read_local_files(node: NodeSettings, credentials: CredentialSettings, home: Path) -> LocalFiles:
    """Each file the settings name, read and checked; SettingError naming the setting of the first that is wrong."""
    ssh_key = _read_ssh_public_key(expand_home(node.ssh_public_key, home)) if node.ssh_public_key is not None else None
    sqs_files = None
    if credentials.sqs_credentials == "file":
        try:
            sqs_files = read_sqs_credential_files(expand_home(credentials.sqs_credentials_file, home),
                                                  expand_home(credentials.sqs_config_file, home))
        except SqsCredentialsError as err:
            raise SettingError(err.setting, err.message) from None
    return LocalFiles(ssh_key=ssh_key, sqs_files=sqs_files)


def expand_home(path_text: str, home: Path) -> Path:
    return home / path_text[2:] if path_text == "~" or path_text.startswith("~/") else Path(path_text)


def _read_ssh_public_key(path: Path) -> SshPublicKey:
    try:
        material = read_small_text_file(path, what="an OpenSSH public key, such as ~/.ssh/id_ed25519.pub").strip()
    except FileProblem as err:
        raise SettingError("sshPublicKey", str(err)) from None
    if "PRIVATE KEY" in material:
        raise SettingError("sshPublicKey", f"{path} is a private key, which must never leave your machine. Give the .pub file beside it")
    problem = key_problem(material) if "\n" not in material else "holds more than one line"
    if problem is not None:
        raise SettingError("sshPublicKey", f"{path} is not an OpenSSH RSA or ED25519 public key EC2 imports: it {problem}. "
                           "Give the .pub file of an ssh-ed25519 key (ssh-keygen -t ed25519)")
    return SshPublicKey(path=path, material=material)
