"""The settings gate against inputs nobody listed: hostile values for every setting, hostile keys, through every channel.

The contract (README, "Settings"): a bad input gives exactly one line, `error: <setting>: ...`, on stderr, and exit
status 2; a good one gives settings. Never a traceback, never a second line, never a control character in the line.
tests/bad_inputs.py lists the cases someone thought of; Hypothesis draws the rest. Derandomized, so CI sees the same
examples every run; raise max_examples locally to look further.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

import app
from domain.instance_types import _ec2_instance_types
from domain.system_nodes import SYSTEM_NODE_TYPES
from settings.load import SETTING_NAMES
from tests.conftest import write_canary_home

LINE_MAX = 1000
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text a user, a shell or a JSON file can hand over: control characters, other scripts, full-width letters, long runs.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["", " ", "\n", "\x00", "\r\n", "0", "-1", "true", "none", "null", "1e309", "NaN", "~", "~root/x", "~nobody",
                     "/dev/zero", "/proc/self/mem", "/", ".", "a" * 100_000, "ｇ４ｄｎ．ｘｌａｒｇｅ", "g4dn.xlarge\n", " g4dn.xlarge",
                     "quay.io/leafai/studio-go-runner:0.14.2\x00", "sqs_a,,sqs_b", "sqs_a," * 60, "1.36 ", "ON_DEMAND\t"]),
    st.from_regex(r"[ -~]{0,30}", fullmatch=True),
)
# What JSON in cdk.json can hold besides strings.
json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), hostile_text),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=8)
setting_names = st.sampled_from(SETTING_NAMES)
# Keys that are not settings: near misses, other scripts, control characters, huge ones.
hostile_keys = st.one_of(st.text(max_size=30), st.sampled_from(
    ["ｎｏｄｅＴｙｐｅ", "nodeType ", "nodeType\n", "node\x00Type", "NODETYPE", "k" * 100_000, "nodeTypes", "aws:cdk:x", "@aws-cdk/x"]))


def _gate(context: dict, environ: dict) -> tuple[bool, str]:
    """Runs what `app.py` runs before it synthesizes: settings or the one line. An exception fails the test with its traceback."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = app.checked_settings(context, environ)
    return result is not None, err.getvalue()


def _holds_the_contract(ok: bool, output: str) -> None:
    if ok:
        assert output == "", output
        return
    assert output.endswith("\n") and output.count("\n") == 1, repr(output[:300])
    line = output[:-1]
    assert line.startswith("error: ") and ": " in line[len("error: "):], repr(line[:300])
    assert len(line) <= LINE_MAX, f"{len(line)} characters: {line[:200]!r}"
    assert all(ch.isprintable() for ch in line), repr(line[:300])


@FUZZ
@given(name=setting_names, value=json_values)
def test_any_value_of_any_setting_gives_settings_or_one_line(name, value):
    _holds_the_contract(*_gate({name: value}, {}))


@FUZZ
@given(name=setting_names, value=hostile_text, other=setting_names, other_value=hostile_text)
def test_two_settings_at_once_give_settings_or_one_line(name, value, other, other_value):
    _holds_the_contract(*_gate({name: value, other: other_value}, {}))


@FUZZ
@given(name=st.sampled_from(["nodeType", "systemNodeType"]), value=st.sampled_from(sorted(_ec2_instance_types())),
       shape=st.sampled_from([{}, {"systemNodes": "3"}, {"capacity": "automode"}]))
def test_every_ec2_instance_type_as_a_node_type_gives_settings_or_one_line(name, value, shape):
    """Real names, from the EC2 model botocore ships: families nobody listed (Graviton, Mac, accelerators, metal)."""
    context = {**shape, name: value}
    if name == "systemNodeType" and "capacity" in shape:
        context.pop("capacity")
    ok, output = _gate(context, {})
    _holds_the_contract(ok, output)
    if ok and name == "systemNodeType":  # accepted only where the fit check could run: its figures are in the table
        assert value in SYSTEM_NODE_TYPES


@FUZZ
@given(key=hostile_keys, value=hostile_text)
def test_any_key_gives_settings_or_one_line(key, value):
    _holds_the_contract(*_gate({key: value}, {}))


@FUZZ
@given(variable=st.sampled_from(["AWS_DEFAULT_REGION", "CDK_DEFAULT_REGION", "CDK_DEFAULT_ACCOUNT", "AWS_CLUSTER_NAME", "HOME"]),
       value=hostile_text.filter(lambda v: "\x00" not in v))  # the OS carries no NUL in an environment variable
def test_any_environment_value_gives_settings_or_one_line(variable, value):
    _holds_the_contract(*_gate({}, {variable: value}))


def test_a_key_that_normalises_to_a_setting_is_refused_naming_it():
    for key in ("ｎｏｄｅＴｙｐｅ", "nodeType ", "nodeType\n"):
        ok, output = _gate({key: "g5.xlarge"}, {})
        assert not ok and "did you mean nodeType?" in output, repr(output)


def test_a_huge_or_broken_key_is_shown_cut_and_escaped():
    ok, output = _gate({"k" * 100_000: "x"}, {})
    assert not ok and len(output) < LINE_MAX
    ok, output = _gate({"node\x00Type": "x"}, {})
    assert not ok and "\x00" not in output and "\\x00" in output and all(c.isprintable() for c in output[:-1])


# Bytes a file can hold: not UTF-8, NUL, a key pasted twice, a private key by mistake, nothing, a lot.
hostile_file = st.one_of(
    st.binary(max_size=300),
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"", b"\xff\xfe", b"ssh-rsa AAAA\n", b"ssh-ed25519 " + b"A" * 68 + b"\n" * 2 + b"ssh-ed25519 AAAA",
                     b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
                     b"[default]\naws_access_key_id = \x00\n", b"[default\n", b"[default]\n" * 1000, b"x" * 2_000_000]),
)


@FUZZ
@given(content=hostile_file, which=st.sampled_from(["sshPublicKey", "sqsCredentialsFile", "sqsConfigFile"]))
def test_any_file_content_gives_settings_or_one_line(tmp_path_factory, content, which):
    """The settings that read a file at synth (`sshPublicKey`; `sqsCredentials=file`'s two files), whatever the file holds."""
    home = write_canary_home(tmp_path_factory.mktemp("home"))
    path = home / "file"
    path.write_bytes(content)
    _holds_the_contract(*_gate(_reading(which, path), {"HOME": str(home)}))


def _reading(which: str, path) -> dict:
    """Settings under which `which` is read from `path`, and nothing else is refused first."""
    if which == "sshPublicKey":
        return {"sshPublicKey": str(path), "sshAllowedCidrs": "203.0.113.0/24"}
    return {"sqsCredentials": "file", which: str(path)}


def test_the_file_channel_reaches_the_file(tmp_path):
    # The fuzz above proves nothing if every example were refused before the file is read.
    (tmp_path / "key.pub").write_bytes((Path(__file__).parent / "fixtures" / "id_ed25519.pub").read_bytes())
    assert _gate(_reading("sshPublicKey", tmp_path / "key.pub"), {"HOME": str(tmp_path)}) == (True, "")
    (tmp_path / "key.pub").write_bytes(b"ssh-ed25519 AAAA\n")
    ok, output = _gate(_reading("sshPublicKey", tmp_path / "key.pub"), {"HOME": str(tmp_path)})
    assert not ok and output.startswith("error: sshPublicKey: "), output
