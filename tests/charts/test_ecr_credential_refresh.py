"""EcrCredentialRefreshChart: least-privilege RBAC, the 6-hourly CronJob and its initial Job."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess

import cdk8s
import pytest

from charts import ecr_credential_refresh as ecr
from charts.ecr_credential_refresh import EcrCredentialRefreshChart
from settings import SUPPORTED_KUBERNETES_VERSIONS
from tests.kube import find, names, validate_strict

REGISTRY = "123456789012.dkr.ecr.eu-central-1.amazonaws.com"
REGION = "eu-central-1"
NAMESPACES = ("studioml", "default")


@pytest.fixture(scope="module")
def objects() -> dict[str, list[dict]]:
    app = cdk8s.Testing.app()
    return {
        namespace: cdk8s.Testing.synth(EcrCredentialRefreshChart(app, namespace, namespace=namespace, registry=REGISTRY, region=REGION))
        for namespace in NAMESPACES
    }


def _cron_job(objects, namespace="studioml"):
    return find(objects[namespace], "CronJob", "studioml-go-runner-ecr-cred")


def _initial_job(objects, namespace="studioml"):
    return find(objects[namespace], "Job", ecr.INITIAL_JOB_NAME)


def _cron_pod(objects, namespace="studioml"):
    return _cron_job(objects, namespace)["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def _containers(pod):
    return {c["name"]: c for c in pod["initContainers"] + pod["containers"]}


def test_object_set(objects):
    assert sorted(names(objects["studioml"])) == sorted([
        "ServiceAccount/studioml-go-runner-ecr-cred",
        "Role/studioml-go-runner-ecr-cred",
        "RoleBinding/studioml-go-runner-ecr-cred",
        "CronJob/studioml-go-runner-ecr-cred",
        f"Job/{ecr.INITIAL_JOB_NAME}",
    ])


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_everything_is_in_the_namespace(objects, namespace):
    assert {o["metadata"]["namespace"] for o in objects[namespace]} == {namespace}


def test_service_account_has_no_keys(objects):
    service_account = find(objects["studioml"], "ServiceAccount", "studioml-go-runner-ecr-cred")
    assert service_account["automountServiceAccountToken"] is True
    rendered = json.dumps(objects["studioml"])
    assert "AWS_ACCESS_KEY_ID" not in rendered and "AWS_SECRET_ACCESS_KEY" not in rendered


def test_rbac_rules_exactly(objects):
    role = find(objects["studioml"], "Role", "studioml-go-runner-ecr-cred")
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["studioml-go-docker-key"],
         "verbs": ["get", "patch", "update", "delete"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": ["default"], "verbs": ["get", "patch"]},
    ]
    binding = find(objects["studioml"], "RoleBinding", "studioml-go-runner-ecr-cred")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "studioml-go-runner-ecr-cred", "namespace": "studioml"}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "studioml-go-runner-ecr-cred"}


def test_cron_job_schedule_and_limits(objects):
    cron_job = _cron_job(objects)
    assert cron_job["apiVersion"] == "batch/v1"
    spec = cron_job["spec"]
    assert spec["schedule"] == "0 */6 * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["successfulJobsHistoryLimit"] == 1
    assert spec["failedJobsHistoryLimit"] == 3
    job_spec = spec["jobTemplate"]["spec"]
    assert job_spec["backoffLimit"] == 3
    assert job_spec["activeDeadlineSeconds"] == 300


def test_initial_job_runs_the_same_pod_and_cleans_up(objects):
    job = _initial_job(objects)
    assert job["apiVersion"] == "batch/v1"
    assert job["spec"]["ttlSecondsAfterFinished"] == 600
    cron_job_spec = _cron_job(objects)["spec"]["jobTemplate"]["spec"]
    assert {k: v for k, v in job["spec"].items() if k != "ttlSecondsAfterFinished"} == cron_job_spec


def test_images_are_pinned(objects):
    containers = _containers(_cron_pod(objects))
    assert containers["get-login-token"]["image"] == ecr.AWS_CLI_IMAGE
    assert containers["apply-pull-secret"]["image"] == ecr.KUBECTL_IMAGE
    assert containers["patch-default-service-account"]["image"] == ecr.KUBECTL_IMAGE
    assert ecr.AWS_CLI_IMAGE.startswith("public.ecr.aws/aws-cli/aws-cli:2.")
    assert ecr.KUBECTL_IMAGE.startswith("registry.k8s.io/kubectl:v1.35.")


def test_container_order(objects):
    pod = _cron_pod(objects)
    assert [c["name"] for c in pod["initContainers"]] == ["get-login-token", "apply-pull-secret"]
    assert [c["name"] for c in pod["containers"]] == ["patch-default-service-account"]


def test_login_uses_cli_v2_with_region_and_registry(objects):
    script = _containers(_cron_pod(objects))["get-login-token"]["command"][-1]
    assert f"aws ecr get-login-password --region {REGION}" in script
    assert REGISTRY in script
    assert "get-login " not in script and "--registry-ids" not in script


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_kubectl_commands(objects, namespace):
    containers = _containers(_cron_pod(objects, namespace))
    assert containers["apply-pull-secret"]["command"] == [
        "/bin/kubectl", "apply", "--server-side", "--force-conflicts", "--field-manager=studioml-go-runner-ecr-cred",
        f"--namespace={namespace}", "--filename=/work/pull-secret.json",
    ]
    assert containers["patch-default-service-account"]["command"] == [
        "/bin/kubectl", "patch", "serviceaccount", "default", f"--namespace={namespace}", "--type=merge",
        '--patch={"imagePullSecrets":[{"name":"studioml-go-docker-key"}]}',
    ]


def test_pod_security(objects):
    pod = _cron_pod(objects)
    assert pod["serviceAccountName"] == "studioml-go-runner-ecr-cred"
    assert pod["restartPolicy"] == "Never"
    assert pod["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 65532, "runAsGroup": 65532, "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    for name, container in _containers(pod).items():
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]},
        }, name
        assert container["volumeMounts"] == [{"name": "work", "mountPath": "/work"}], name
    assert pod["volumes"] == [{"name": "work", "emptyDir": {"medium": "Memory", "sizeLimit": "32Mi"}}]


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("base64") is None, reason="needs bash and base64")
def test_login_script_writes_a_docker_registry_secret(tmp_path):
    """Runs the real script against a stub `aws`: the Secret must carry the token for REGISTRY."""
    token = "eyJwYXlsb2FkIjoi+/abc=="
    stub = tmp_path / "aws"
    stub.write_text(f'#!/bin/sh\n[ "$*" = "ecr get-login-password --region {REGION}" ] || exit 9\necho "{token}"\n')
    stub.chmod(0o755)
    output = tmp_path / "pull-secret.json"
    script = ecr._login_script(namespace="studioml", registry=REGISTRY, region=REGION).replace(ecr.PULL_SECRET_FILE, str(output))
    subprocess.run(["bash", "-c", script], check=True, env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, capture_output=True)

    secret = json.loads(output.read_text())
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    assert secret["metadata"]["name"] == "studioml-go-docker-key"
    assert secret["metadata"]["namespace"] == "studioml"
    config = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))
    entry = config["auths"][REGISTRY]
    assert entry["username"] == "AWS" and entry["password"] == token
    assert base64.b64decode(entry["auth"]).decode() == f"AWS:{token}"
    validate_strict([secret], "1.36")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_login_script_fails_when_aws_fails(tmp_path):
    stub = tmp_path / "aws"
    stub.write_text("#!/bin/sh\nexit 3\n")
    stub.chmod(0o755)
    output = tmp_path / "pull-secret.json"
    script = ecr._login_script(namespace="studioml", registry=REGISTRY, region=REGION).replace(ecr.PULL_SECRET_FILE, str(output))
    result = subprocess.run(["bash", "-c", script], env={"PATH": f"{tmp_path}:/usr/bin:/bin"}, capture_output=True)
    assert result.returncode != 0
    assert not output.exists()


@pytest.mark.parametrize("kubernetes_version", SUPPORTED_KUBERNETES_VERSIONS)
def test_objects_are_valid(objects, kubernetes_version):
    for rendered in objects.values():
        validate_strict(rendered, kubernetes_version)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"registry": "quay.io"}, "registry must look like 123456789012.dkr.ecr.us-west-2.amazonaws.com, got 'quay.io'"),
        ({"region": "Europe"}, "region must look like us-west-2, got 'Europe'"),
        ({"region": "us-west-2"},
         f"registry {REGISTRY} is in eu-central-1, but the token would be fetched in us-west-2"),
        ({"namespace": "Studio ML"}, "namespace must be a DNS-1123 label, got 'Studio ML'"),
    ],
)
def test_bad_arguments_are_refused(change, message):
    arguments = {"namespace": "studioml", "registry": REGISTRY, "region": REGION, **change}
    with pytest.raises(ValueError) as error:
        EcrCredentialRefreshChart(cdk8s.Testing.app(), "Bad", **arguments)
    assert str(error.value) == message
