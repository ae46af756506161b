"""RunnerChart: env and state ConfigMaps, RBAC, and the GPU Deployment the runner's users rely on."""
from __future__ import annotations

import cdk8s
import pytest

from charts import runner
from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_TOLERATION
from charts.runner import RunnerChart
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict

IMAGE = "quay.io/leafai/studio-go-runner:0.14.1"
LIMITS = {"MAX_CORES": "4", "MAX_MEM": "22118mib", "TASK_DISK": "117964mib"}

# Two configurations that differ in every switch the chart has.
CONFIGS: dict[str, dict] = {
    "custom": dict(
        namespace="studioml", image=IMAGE, replicas=3, gpus=2, cpu="4", memory="24Gi", scratch_size="150Gi",
        queue_match="^sqs_team_.*$", cache_size="20Gib", clear_text_messages=True, sqs_secret_optional=False,
        limits_env=LIMITS,
    ),
    "default": dict(
        namespace="default", image=IMAGE, replicas=None, gpus=1, cpu="2", memory="8Gi", scratch_size="50Gi",
        queue_match="^sqs_.*$", cache_size="10Gib", clear_text_messages=False, sqs_secret_optional=True,
        limits_env={"MAX_CORES": "2", "MAX_MEM": "7168mib", "TASK_DISK": "33177mib"},
    ),
}


@pytest.fixture(scope="module")
def objects() -> dict[str, list[dict]]:
    app = cdk8s.Testing.app()
    return {key: cdk8s.Testing.synth(RunnerChart(app, key, **config)) for key, config in CONFIGS.items()}


def _deployment(objects, key):
    return find(objects[key], "Deployment", runner.DEPLOYMENT_NAME)


def _pod(objects, key):
    return _deployment(objects, key)["spec"]["template"]["spec"]


def _container(objects, key):
    (container,) = _pod(objects, key)["containers"]
    return container


def test_object_set(objects):
    assert sorted(names(objects["custom"])) == sorted([
        "ConfigMap/studioml-env",
        "ConfigMap/studioml-go-runner",
        "ServiceAccount/studioml-account",
        "ClusterRole/studioml-role",
        "RoleBinding/studioml-role-bind",
        "Deployment/studioml-go-runner-deployment",
    ])


@pytest.mark.parametrize("key", CONFIGS)
def test_namespaced_objects_are_in_the_namespace(objects, key):
    for obj in objects[key]:
        if obj["kind"] == "ClusterRole":
            assert "namespace" not in obj["metadata"]
        else:
            assert obj["metadata"]["namespace"] == CONFIGS[key]["namespace"], obj["kind"]


def test_env_config_map_custom(objects):
    data = find(objects["custom"], "ConfigMap", "studioml-env")["data"]
    assert data == {
        "QUEUE_MATCH": "^sqs_team_.*$",
        "SQS_CERTS": "./certs/aws-sqs",
        "ENCRYPT_DIR": "./certs/message",
        "CACHE_DIR": "/tmp/cache",
        "CACHE_SIZE": "20Gib",
        "CLEAR_TEXT_MESSAGES": "true",
        "K8S_NAMESPACE": "studioml",
        "LOGXI": "*=INF",
        "LOGXI_FORMAT": "happy,maxcol=1024",
        **LIMITS,
    }


def test_env_config_map_default(objects):
    data = find(objects["default"], "ConfigMap", "studioml-env")["data"]
    assert data["CLEAR_TEXT_MESSAGES"] == "false"
    assert data["K8S_NAMESPACE"] == "default"
    assert data["QUEUE_MATCH"] == "^sqs_.*$"
    assert data["CACHE_SIZE"] == "10Gib"
    assert "MESSAGE_CRYPT" not in data  # ignored by the runner


def test_state_config_map(objects):
    assert find(objects["custom"], "ConfigMap", "studioml-go-runner")["data"] == {"STATE": "Running"}


def test_rbac(objects):
    service_account = find(objects["custom"], "ServiceAccount", "studioml-account")
    assert service_account["automountServiceAccountToken"] is True
    cluster_role = find(objects["custom"], "ClusterRole", "studioml-role")
    assert cluster_role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]
    binding = find(objects["custom"], "RoleBinding", "studioml-role-bind")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "studioml-account", "namespace": "studioml"}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "studioml-role"}


def test_replicas_set_when_given(objects):
    assert _deployment(objects, "custom")["spec"]["replicas"] == 3


def test_replicas_left_to_the_autoscaler_when_none(objects):
    assert "replicas" not in _deployment(objects, "default")["spec"]


def test_deployment_labels_and_selector(objects):
    deployment = _deployment(objects, "custom")
    assert deployment["metadata"]["labels"] == {"app": "studioml-go-runner"}
    assert deployment["spec"]["selector"] == {"matchLabels": {"app": "studioml-go-runner"}}
    assert deployment["spec"]["template"]["metadata"]["labels"] == {"app": "studioml-go-runner"}


def test_rolling_update_never_surges(objects):
    assert _deployment(objects, "custom")["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
    }


def test_pod_scheduling_and_identity(objects):
    pod = _pod(objects, "custom")
    assert pod["serviceAccountName"] == "studioml-account"
    assert pod["automountServiceAccountToken"] is True
    assert pod["imagePullSecrets"] == [{"name": "studioml-go-docker-key"}]
    assert pod["nodeSelector"] == GPU_NODE_SELECTOR
    assert pod["tolerations"] == [GPU_TOLERATION]
    assert pod["terminationGracePeriodSeconds"] == 15  # why: tests/charts/test_runner_runtime.py
    assert pod["securityContext"] == {"seccompProfile": {"type": "RuntimeDefault"}}


def test_container(objects):
    container = _container(objects, "custom")
    assert container["name"] == "studioml-go-runner"
    assert container["image"] == IMAGE
    assert container["envFrom"] == [{"configMapRef": {"name": "studioml-env"}}]
    expected = {"nvidia.com/gpu": "2", "cpu": "4", "memory": "24Gi"}
    assert container["resources"] == {"requests": expected, "limits": expected}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
    }


def test_default_config_resources(objects):
    expected = {"nvidia.com/gpu": "1", "cpu": "2", "memory": "8Gi"}
    assert _container(objects, "default")["resources"] == {"requests": expected, "limits": expected}


EXPECTED_MOUNTS = {
    "aws-sqs": "/runner/certs/aws-sqs/default",
    "message-encryption": "/runner/certs/message/encryption",
    "encryption-passphrase": "/runner/certs/message/passphrase",
    "queue-signing": "/runner/certs/queues/signing",
    "response-queue-signing": "/runner/certs/queues/response-encrypt",
    "tmp-volume": "/tmp",
}


def test_mounts(objects):
    mounts = {m["name"]: m for m in _container(objects, "custom")["volumeMounts"]}
    assert {name: m["mountPath"] for name, m in mounts.items()} == EXPECTED_MOUNTS
    for name, mount in mounts.items():
        assert mount.get("readOnly", False) is (name != "tmp-volume"), name


def _volumes(objects, key):
    return {v["name"]: v for v in _pod(objects, key)["volumes"]}


def test_secret_volumes(objects):
    volumes = _volumes(objects, "custom")
    assert set(volumes) == set(EXPECTED_MOUNTS)
    assert volumes["aws-sqs"]["secret"] == {
        "secretName": "studioml-runner-aws-sqs",
        "optional": False,
        "items": [{"key": "credentials", "path": "credentials"}, {"key": "config", "path": "config"}],
    }
    assert volumes["message-encryption"]["secret"] == {
        "secretName": "studioml-runner-key-secret",
        "optional": True,
        "items": [{"key": "ssh-privatekey", "path": "ssh-privatekey"}, {"key": "ssh-publickey", "path": "ssh-publickey"}],
    }
    assert volumes["encryption-passphrase"]["secret"] == {
        "secretName": "studioml-runner-passphrase-secret",
        "optional": True,
        "items": [{"key": "ssh-passphrase", "path": "ssh-passphrase"}],
    }
    assert volumes["queue-signing"]["secret"] == {"secretName": "studioml-signing", "optional": True}
    assert volumes["response-queue-signing"]["secret"] == {"secretName": "studioml-report-keys", "optional": True}
    assert volumes["tmp-volume"] == {"name": "tmp-volume", "emptyDir": {"sizeLimit": "150Gi"}}


def test_sqs_secret_optional_switch(objects):
    assert _volumes(objects, "default")["aws-sqs"]["secret"]["optional"] is True
    assert _volumes(objects, "custom")["aws-sqs"]["secret"]["optional"] is False
    assert _volumes(objects, "default")["tmp-volume"]["emptyDir"] == {"sizeLimit": "50Gi"}


def test_no_host_path_volumes(objects):
    for key in CONFIGS:
        assert all("hostPath" not in v for v in _pod(objects, key)["volumes"])


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_objects_are_valid(objects, kubernetes_version):
    for rendered in objects.values():
        validate_strict(rendered, kubernetes_version)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"image": "quay.io/leafai/studio-go-runner:latest"},
         "runner image must be pinned to a version tag (not latest), got 'quay.io/leafai/studio-go-runner:latest'"),
        ({"image": "quay.io/leafai/studio-go-runner"},
         "runner image must be pinned to a version tag (not latest), got 'quay.io/leafai/studio-go-runner'"),
        ({"gpus": 0}, "the runner needs at least one GPU, got gpus=0"),
        ({"replicas": -1}, "replicas must be 0 or more (or None for an autoscaler), got -1"),
    ],
)
def test_bad_arguments_are_refused(change, message):
    with pytest.raises(ValueError) as error:
        RunnerChart(cdk8s.Testing.app(), "Bad", **{**CONFIGS["default"], **change})
    assert str(error.value) == message
