"""The one manifest applier, in a bare stack: order, numbering, dependencies, and dist/ written whole, one writer at a time."""
from __future__ import annotations

import fcntl
import os
import threading
import time

import cdk8s
import pytest

from stacks.manifests import ManifestApplier
from tests.stacks.addons.bare_stack import of_type, synth_bare


def _config_map(app: cdk8s.App, name: str) -> cdk8s.Chart:
    chart = cdk8s.Chart(app, name)
    config_map = cdk8s.ApiObject(chart, "Map", api_version="v1", kind="ConfigMap", metadata=cdk8s.ApiObjectMetadata(name=name))
    config_map.add_json_patch(cdk8s.JsonPatch.add("/data", {"key": "value"}))
    return chart


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    def build(stack, cluster, nodes):
        applier = ManifestApplier(stack, "Workloads", cluster=cluster)
        first = applier.apply("first-map", _config_map(applier.k8s_app, "first"))
        applier.apply("second-map", _config_map(applier.k8s_app, "second"), after=[first, None, nodes])
        return applier
    return synth_bare(tmp_path_factory.mktemp("manifests"), build)


def test_charts_are_numbered_in_apply_order(bare):
    _, applier, _ = bare
    assert [applied.file_name for applied in applier.applied] == ["00-first-map.k8s.yaml", "01-second-map.k8s.yaml"]


def test_each_chart_is_one_manifest_applied_after_its_dependencies(bare):
    stack, applier, template = bare
    manifests = of_type(template, "Custom::AWSCDK-EKS-KubernetesResource")
    first, second = (stack.get_logical_id(applied.manifest.node.default_child) for applied in applier.applied)
    assert set(manifests) == {first, second}
    assert manifests[first]["Properties"]["Overwrite"] is True  # adopts objects made by hand
    assert first in manifests[second]["DependsOn"]
    assert stack.node.find_child("Nodes") in applier.applied[1].manifest.node.dependencies


def test_write_replaces_older_manifests_and_keeps_other_files(bare, tmp_path):
    _, applier, _ = bare
    (tmp_path / "07-switched-off.k8s.yaml").write_text("kind: Pod\n")
    (tmp_path / "README.txt").write_text("kept\n")
    applier.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00-first-map.k8s.yaml", "01-second-map.k8s.yaml", "README.txt"]
    assert "name: second" in (tmp_path / "01-second-map.k8s.yaml").read_text()


def test_a_second_writer_waits_for_the_first(bare, tmp_path):
    """Two synths writing one dist/ must not mix their manifests: the directory is locked while one writes."""
    _, applier, _ = bare
    descriptor = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)  # another writer, mid-way
    writer = threading.Thread(target=applier.write, args=(tmp_path,))
    writer.start()
    time.sleep(0.5)
    assert list(tmp_path.iterdir()) == []
    os.close(descriptor)
    writer.join(timeout=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00-first-map.k8s.yaml", "01-second-map.k8s.yaml"]
