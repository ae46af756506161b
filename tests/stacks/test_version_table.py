"""The README's table of pinned releases per Kubernetes version is the one stacks/version_table.py makes from the plan."""
from __future__ import annotations

from pathlib import Path

from stacks.version_table import version_table

README = Path(__file__).parent.parent.parent / "README.md"


def test_the_readme_shows_the_plans_releases_for_each_minor():
    assert version_table() in README.read_text(), "README.md's release table is stale: paste `python -m stacks.version_table`"


def test_each_minor_has_its_own_release_where_its_project_pins_one():
    # kubernetes/autoscaler README: use the cluster-autoscaler minor of the control plane; External Secrets'
    # stability-support.md rows: 2.6 (1.34-1.35), 2.8 (1.35-1.36), 2.14 released for 1.36.
    rows = {line.split(" | ")[0].lstrip("| "): line for line in version_table().splitlines()[2:]}
    assert "| `v1.34.5` | `v1.35.2` | `v1.36.1` |" in rows["cluster-autoscaler (`cluster-autoscaler`)"]
    assert "| `2.6.0` | `2.8.0` | `2.14.0` |" in rows["External Secrets (`external-secrets`)"]
    assert "| `kubectl 1.34, layer 2.2.2` | `kubectl 1.35, layer 2.2.2` | `kubectl 1.36, layer 2.0.1` |" in rows["kubectl layer"]
