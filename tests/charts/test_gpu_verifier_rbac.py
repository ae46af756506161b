"""GpuVerifierRbacChart: the post-deploy check's group may read nodes, and jobs, pods, deployments and events in the runner's namespace, nothing else."""
from __future__ import annotations

import cdk8s
import pytest

from charts.gpu_verifier_rbac import JOB_READER_NAME, NODE_READER_NAME, VERIFIER_GROUP, GpuVerifierRbacChart
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, validate_strict


@pytest.fixture(scope="module")
def objects():
    return cdk8s.Testing.synth(GpuVerifierRbacChart(cdk8s.Testing.app(), "rbac", namespace="studioml"))


def test_read_only_rules(objects):
    assert find(objects, "ClusterRole", NODE_READER_NAME)["rules"] == [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]
    role = find(objects, "Role", JOB_READER_NAME)
    assert role["metadata"]["namespace"] == "studioml"
    # jobs for make verify; pods and deployments for make status; events for make timeline. Never secrets, logs, exec or writes.
    assert role["rules"] == [{"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["get", "list", "watch"]},
                             {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
                             {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]},
                             {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "list"]}]


def test_bindings_grant_the_group_only(objects):
    for kind, name, role_kind in (("ClusterRoleBinding", NODE_READER_NAME, "ClusterRole"), ("RoleBinding", JOB_READER_NAME, "Role")):
        binding = find(objects, kind, name)
        assert binding["subjects"] == [{"kind": "Group", "name": VERIFIER_GROUP, "apiGroup": "rbac.authorization.k8s.io"}]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name}


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_objects_are_valid(objects, kubernetes_version):
    validate_strict(objects, kubernetes_version)
