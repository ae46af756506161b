"""Credentials never leak: with canary ~/.aws files, only `file` mode carries them, and only inside their Secret."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.conftest import CANARY_CREDENTIALS, CANARY_KEY_ID, CANARY_SECRET
from tests.synth import kubernetes_manifests

pytestmark = pytest.mark.xdist_group("synth")
CANARIES = (CANARY_KEY_ID, CANARY_SECRET)
# A Secret carries the file base64-encoded: look for that form too.
PATTERNS = (*CANARIES, base64.b64encode(CANARY_CREDENTIALS.encode()).decode())


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
    for key, objects in kubernetes_manifests(template).items():
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
    assert _files_with_canaries(result.manifests_dir) == ["00-sqs-credentials.k8s.yaml"]


def _decoded(obj: dict) -> str:
    """A Secret's values, base64-decoded: the canaries must be found whether encoded or not."""
    if obj["kind"] != "Secret":
        return ""
    return " ".join(base64.b64decode(v).decode(errors="replace") for v in obj.get("data", {}).values())
