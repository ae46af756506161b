"""Every input of the bad-input corpus (tests/bad_inputs.py) is refused with one line naming its setting: no traceback, no hang.

In-process and settings only (no synth), through `app.checked_settings`, which prints the very line `app.main`
prints. stderr is captured at the file-descriptor level, so a library writing to fd 2 behind Python's back
(RE2 logs its parse errors there unless told not to) would show up as a second line.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import app
from settings import SETTING_NAMES
from tests.bad_inputs import CORPUS
from tests.conftest import FIXTURES, write_canary_home

pytestmark = pytest.mark.xdist_group("corpus")

# Each input is refused within this many seconds: settings checks only, with bounded reads and a linear-time regex engine.
TIME_LIMIT_SECONDS = 2.0
GOOD_SECRET = "canary/secret/access/key/must/not/leak00"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the corpus points settings at: wrong kinds of file, and files with wrong content."""
    root = tmp_path_factory.mktemp("corpus-files")
    shutil.copy(FIXTURES / "id_ed25519.pub", root / "id_ed25519.pub")
    os.mkfifo(root / "fifo")  # opening it for reading blocks until a writer comes: never
    (root / "huge.pub").write_bytes(b"ssh-ed25519 " + b"A" * (1 << 20))
    (root / "id_ed25519").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n")
    (root / "notes.txt").write_text("hello\n")
    (root / "truncated.pub").write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIBMrOjn test\n")
    (root / "dsa.pub").write_text("ssh-dss AAAAB3NzaC1kc3MAAACBAP" + "A" * 500 + " old\n")
    (root / "binary.pub").write_bytes(bytes(range(128, 256)))
    (root / "zero-link.pub").symlink_to("/dev/zero")
    key = (FIXTURES / "id_ed25519.pub").read_text().strip()
    (root / "two-keys.pub").write_text(f"{key}\n{key}\n")
    (root / "empty").write_text("")
    (root / "credentials-no-default").write_text(f"[sqs]\naws_access_key_id = CANARYKEYIDNOTREAL09\naws_secret_access_key = {GOOD_SECRET}\n")
    (root / "credentials-short-id").write_text(f"[default]\naws_access_key_id = AKIA1234\naws_secret_access_key = {GOOD_SECRET}\n")
    (root / "credentials-short-secret").write_text(f"[default]\naws_access_key_id = CANARYKEYIDNOTREAL09\n"
                                                   f"aws_secret_access_key = {GOOD_SECRET[:-1]}\n")
    (root / "credentials-temporary").write_text(f"[default]\naws_access_key_id = ASIA_CANARY_NOTREAL_9\naws_secret_access_key = {GOOD_SECRET}\n")
    (root / "credentials-id-only").write_text("[default]\naws_access_key_id = CANARYKEYIDNOTREAL09\n")
    (root / "credentials-not-ini").write_text("just some text\n")
    (root / "config-mars").write_text("[default]\nregion = mars-1\n")
    (root / "config-az").write_text("[default]\nregion = us-west-2a\n")
    (root / "config-no-region").write_text("[default]\noutput = json\n")
    (root / "config-other-first").write_text("[profile other]\nregion = us-east-1\n[default]\nregion = us-west-2\n")
    write_canary_home(root / "home")
    return root


def _filled(value: Any, files: Path) -> Any:
    if isinstance(value, str):
        return value.replace("{files}", str(files)).replace("{home}", str(files / "home"))
    return value


@pytest.mark.parametrize(("setting", "context", "environ"), CORPUS, ids=[f"{n:03d}-{entry[0]}" for n, entry in enumerate(CORPUS)])
def test_bad_input_is_refused_in_one_line(setting: str, context: dict, environ: dict, files: Path, capfd: pytest.CaptureFixture):
    context = {key: _filled(value, files) for key, value in context.items()}
    environ = {key: _filled(value, files) for key, value in environ.items()}
    started = time.perf_counter()
    settings = app.checked_settings(context, environ)  # any other exception than SettingError fails this test: no traceback
    elapsed = time.perf_counter() - started
    out, err = capfd.readouterr()
    assert settings is None, f"accepted: {context} {environ}"
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: {setting}: "), err
    assert elapsed < TIME_LIMIT_SECONDS


def test_the_corpus_is_large_and_touches_every_setting():
    assert len(CORPUS) >= 250
    named = {setting for setting, _, _ in CORPUS}
    assert set(SETTING_NAMES) <= named, f"settings without a bad input: {sorted(set(SETTING_NAMES) - named)}"
