"""Synthesize an app configuration once per test session and hand out its templates.

Each configuration is a context dict, synthesized in-process through `app.main` (the
same path `cdk synth` takes, cdk-nag included) into its own folder. Tests mark
themselves with `pytest.mark.xdist_group(<config>)` so one worker synthesizes each.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import app

Template = dict[str, Any]


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    manifests_dir: Path

    def template(self) -> Template:
        """The one template of a direct-mode synth (its stack sits in a stage, so in a nested assembly)."""
        files = sorted(self.outdir.rglob("*.template.json"))
        assert len(files) == 1, f"expected one template in {self.outdir}, found {[f.name for f in files]}"
        return json.loads(files[0].read_text())

    def templates(self) -> dict[str, Template]:
        return {f.name.removesuffix(".template.json"): json.loads(f.read_text()) for f in sorted(self.outdir.rglob("*.template.json"))}


_cache: dict[str, Synthesized | str] = {}  # a failed synth is remembered as its message: it fails once, not per test

# The CLI passes cdk.json's context (the feature flags) to the app: tests synthesize with it too.
CDK_JSON_CONTEXT: dict[str, Any] = json.loads((Path(__file__).parent.parent / "cdk.json").read_text())["context"]


def synthesize(name: str, context: dict[str, Any], root: Path, environ: dict[str, str] | None = None) -> Synthesized:
    if name not in _cache:
        outdir, manifests_dir = root / name / "cdk.out", root / name / "dist"
        code = app.main(context={**CDK_JSON_CONTEXT, **context}, outdir=str(outdir), environ=environ or {},
                        manifests_dir=str(manifests_dir))
        _cache[name] = Synthesized(outdir, manifests_dir) if code == 0 else f"synth of configuration {name!r} failed with exit code {code}"
    result = _cache[name]
    assert isinstance(result, Synthesized), result
    return result


_templates: dict[tuple[tuple[str, str], ...], Template | str] = {}


def template_of(context: dict[str, str], root: Path, environ: dict[str, str]) -> Template:
    """The cluster template of a configuration, synthesized once per worker (its cdk.out, 58 MB of assets, removed at once)."""
    key = tuple(sorted(context.items()))
    if key not in _templates:
        outdir = root / f"matrix-{len(_templates)}"
        code = app.main(context={**CDK_JSON_CONTEXT, **context}, outdir=str(outdir), environ=environ)
        _templates[key] = Synthesized(outdir, outdir).template() if code == 0 else f"synth of {context} failed with exit code {code}"
        shutil.rmtree(outdir, ignore_errors=True)
    result = _templates[key]
    assert not isinstance(result, str), result
    return result


def write_assembly(root: Path, stack: str, template: Template) -> Path:
    """A cloud assembly as `cdk synth` lays one out for a stack in stage `prod`: the stage's folder, its manifest naming the
    stack and its template file. For the scripts that read cdk.out (make plan, make adopt-queues)."""
    stage = root / "assembly-prod"
    stage.mkdir(parents=True)
    (stage / f"prod{stack}.template.json").write_text(json.dumps(template))
    (stage / "manifest.json").write_text(json.dumps({"artifacts": {f"prod{stack}": {
        "type": "aws:cloudformation:stack", "properties": {"templateFile": f"prod{stack}.template.json", "stackName": stack}}}}))
    return root


def kubernetes_manifests(template: Template) -> dict[str, list[dict[str, Any]]]:
    """Logical id -> the Kubernetes objects each KubernetesManifest applies."""
    return {key: json.loads(res["Properties"]["Manifest"]) for key, res in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").items()}


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of one type."""
    return {key: res for key, res in template["Resources"].items() if res["Type"] == resource_type}


def nodegroup(template: Template, prefix: str) -> dict[str, Any]:
    """The properties of the one managed nodegroup named `<prefix>-<8 hex digits>` (domain/names.py's replaceable names)."""
    found = [r["Properties"] for r in resources(template, "AWS::EKS::Nodegroup").values()
             if re.fullmatch(re.escape(prefix) + r"-[0-9a-f]{8}", r["Properties"]["NodegroupName"])]
    assert len(found) == 1, f"expected one nodegroup {prefix}-<digest>, found {len(found)}"
    return found[0]


def only(template: Template, resource_type: str) -> dict[str, Any]:
    """The properties of the one resource of this type."""
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {list(found)}"
    return next(iter(found.values()))["Properties"]
