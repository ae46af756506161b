"""cfn-lint and cdk-nag on every synthesized configuration."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONFIGURATIONS

pytestmark = pytest.mark.xdist_group("synth")
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_cfn_lint_is_clean(synthesized, config):
    templates = sorted(str(p) for p in synthesized(config).outdir.rglob("*.template.json"))
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), "--config-file", str(ROOT / ".cfnlintrc.yaml"), "--", *templates],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_cdk_nag_passes_and_every_acknowledgement_is_narrow_and_reasoned(synthesized, config):
    report = json.loads((synthesized(config).outdir / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success" and nag["violations"] == []
    for finding in nag["suppressedViolations"]:
        where = finding["acknowledgedAt"]
        assert len(finding["reason"]) > 40, finding["ruleName"]
        assert where.count("/") >= 1, f"{finding['ruleName']} acknowledged for a whole stack"
        assert all(c["constructPath"].startswith(where + "/") for c in finding["violatingConstructs"])
