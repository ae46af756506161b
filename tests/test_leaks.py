"""Credentials never leak: with canary ~/.aws files, only `file` mode carries them, and only inside their Secret."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from domain.credential_files import runner_view
from tests.conftest import CANARY_CONFIG, CANARY_CREDENTIALS, CANARY_KEY_ID, CANARY_SECRET, UNREAD_CANARIES
from tests.synth import kubernetes_manifests

pytestmark = pytest.mark.xdist_group("synth")
CANARIES = (CANARY_KEY_ID, CANARY_SECRET)
# A Secret carries the file base64-encoded: look for that form too (the whole file, and what the runner reads of it).
PATTERNS = (*CANARIES, *(base64.b64encode(text.encode()).decode()
                         for text in (CANARY_CREDENTIALS, runner_view(CANARY_CREDENTIALS, CANARY_CONFIG).credentials)))


def _files_with_canaries(directory: Path) -> list[str]:
    hits = []
    for path in directory.rglob("*"):
        if path.is_file() and path.suffix not in (".zip",):  # the zips are the kubectl and awscli layers
            data = path.read_bytes()
            if any(pattern.encode() in data for pattern in PATTERNS):
                hits.append(str(path.relative_to(directory)))
    return hits


@pytest.mark.parametrize("config", ["default", "custom"])
def test_no_canary_anywhere_when_not_in_file_mode(synthesized, config):
    result = synthesized(config)
    assert _files_with_canaries(result.outdir) == []
    assert _files_with_canaries(result.manifests_dir) == []


def test_file_mode_carries_the_canaries_only_inside_the_secret(synthesized):
    result = synthesized("arm")
    template = result.template()
    holders = []
    for objects in kubernetes_manifests(template).values():
        for obj in objects:
            if any(canary in json.dumps(obj) or canary in _decoded(obj) for canary in CANARIES):
                holders.append(f"{obj['kind']}/{obj['metadata']['name']}")
    assert holders == ["Secret/studioml-runner-aws-sqs"]
    # Nowhere else in the template: not in outputs, descriptions or other resources.
    others = {k: v for k, v in template["Resources"].items() if not k.startswith("WorkloadsSqsCredentialsManifest")}
    assert not any(pattern in json.dumps(others) or pattern in json.dumps(template.get("Outputs", {})) for pattern in PATTERNS)
    # In cdk.out only the template holds them (tree.json, metadata and assets do not); in dist/ only the Secret's file.
    (holder,) = _files_with_canaries(result.outdir)
    assert holder.endswith(".template.json")
    assert _files_with_canaries(result.manifests_dir) == ["01-sqs-credentials.k8s.yaml"]


def _decoded(obj: dict) -> str:
    """A Secret's values, base64-decoded: the canaries must be found whether encoded or not."""
    if obj["kind"] != "Secret":
        return ""
    return " ".join(base64.b64decode(v).decode(errors="replace") for v in obj.get("data", {}).values())


def test_file_mode_secret_holds_only_what_the_runner_reads(synthesized):
    # leaf-ai/studio-go-runner 0.14.2 internal/aws/credentials.go: the runner reads profile `default`
    # of the credentials file and the first `region=` line of the config; another profile's keys and
    # other config lines must stay on the workstation (issue 8, point 6).
    result = synthesized("arm")
    (secret,) = [o for objs in kubernetes_manifests(result.template()).values() for o in objs if o["kind"] == "Secret"]
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert decoded == {
        "credentials": f"[default]\naws_access_key_id = {CANARY_KEY_ID}\naws_secret_access_key = {CANARY_SECRET}\n",
        "config": "[default]\nregion = us-west-2\n",
    }
    # Base64 text appears only in the Secret's data, checked decoded above; everything else in plain text.
    for path in [*result.outdir.rglob("*"), *result.manifests_dir.rglob("*")]:
        if path.is_file() and path.suffix != ".zip":
            data = path.read_bytes()
            assert not [canary for canary in UNREAD_CANARIES if canary.encode() in data], path.name
