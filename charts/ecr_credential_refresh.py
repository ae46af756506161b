"""Keeps the runner's image pull secret valid for a private ECR registry.

An ECR login token lasts 12 hours, so a CronJob renews it every 6: it gets a token with
`aws ecr get-login-password` (AWS CLI v2; v1's `get-login` is gone), server-side applies the
docker-registry Secret `studioml-go-docker-key`, and points the namespace's `default`
ServiceAccount at it. A one-off Job does the same at deploy time, so the Secret exists before
the first runner pod pulls. AWS access comes from the ServiceAccount's EKS Pod Identity role
(allowed `ecr:GetAuthorizationToken` only): no AWS keys anywhere.

Both official images are used as shipped: kubectl's has no shell (it is built on go-runner),
so each step is one container and the token passes between them in a memory-backed emptyDir,
never in an argument, environment variable or log line.
"""
from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from charts.rbac import rbac_object, role_ref, service_account_subject
from charts.runner import PULL_SECRET_NAME
from domain.images import PRIVATE_ECR_REGISTRY
from domain.names import DNS_LABEL
from domain.regions import is_region

# The runner's docs name the CronJob; its ServiceAccount, RBAC and labels share the name.
CRON_JOB_NAME = "studioml-go-runner-ecr-cred"
INITIAL_JOB_NAME = f"{CRON_JOB_NAME}-initial"
SERVICE_ACCOUNT_NAME = ROLE_NAME = ROLE_BINDING_NAME = FIELD_MANAGER = CRON_JOB_NAME
POD_LABELS: dict[str, str] = {"app": CRON_JOB_NAME}
DEFAULT_SERVICE_ACCOUNT = "default"

# Every 6 hours: half the token's 12-hour life, so one failed run never lets the Secret expire.
SCHEDULE = "0 */6 * * *"
# The official AWS CLI v2 image (Amazon Linux 2 with bash and coreutils). EKS Pod Identity
# needs 2.15.0 or later; a recent 2.36 patch for current fixes.
AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.36.15"
# The official kubectl image. 1.35 is within kubectl's one-minor skew of every supported
# cluster version (1.34, 1.35, 1.36), so one image serves them all.
KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.35.9"
# FIELD_MANAGER marks this job's fields in server-side apply; --force-conflicts takes over a
# Secret created earlier by hand (`kubectl create secret docker-registry`, as the runbook did).
# Arbitrary non-root ids: the pods need no identity in any image's /etc/passwd.
RUN_AS_ID = 65532
WORK_DIR = "/work"
PULL_SECRET_FILE = f"{WORK_DIR}/pull-secret.json"
# Enough time to clean up the initial Job, short enough that a re-deploy that changes its
# (immutable) pod template rarely finds it still there.
INITIAL_JOB_TTL_SECONDS = 600



class EcrCredentialRefreshChart(cdk8s.Chart):
    """ServiceAccount, least-privilege RBAC, the refresh CronJob and its first run as a Job."""

    def __init__(self, scope: Construct, id: str, *, namespace: str, registry: str, region: str) -> None:
        super().__init__(scope, id)
        if not DNS_LABEL.fullmatch(namespace):
            raise ValueError(f"namespace must be a DNS-1123 label, got {namespace!r}")
        _check_registry(registry, region)

        # The stack associates this ServiceAccount with the IAM role (EKS Pod Identity).
        self.service_account = kplus.ServiceAccount(
            self,
            "ServiceAccount",
            metadata=cdk8s.ApiObjectMetadata(name=SERVICE_ACCOUNT_NAME, namespace=namespace),
            automount_token=True,  # kubectl needs it to reach the API
        )
        self.role = rbac_object(self, "Role", kind="Role", name=ROLE_NAME, namespace=namespace, rules=rbac_rules())
        self.role_binding = rbac_object(self, "RoleBinding", kind="RoleBinding", name=ROLE_BINDING_NAME, namespace=namespace,
                                        subjects=service_account_subject(SERVICE_ACCOUNT_NAME, namespace),
                                        roleRef=role_ref("Role", ROLE_NAME))

        job_spec = _job_spec(namespace=namespace, registry=registry, region=region)
        self.cron_job = cdk8s.ApiObject(
            self,
            "CronJob",
            api_version="batch/v1",
            kind="CronJob",
            metadata=cdk8s.ApiObjectMetadata(name=CRON_JOB_NAME, namespace=namespace, labels=dict(POD_LABELS)),
        )
        self.cron_job.add_json_patch(
            cdk8s.JsonPatch.add(
                "/spec",
                {
                    "schedule": SCHEDULE,
                    "concurrencyPolicy": "Forbid",
                    # A run missed by more than an hour is skipped; the next one is at most 6 h away.
                    "startingDeadlineSeconds": 3600,
                    "successfulJobsHistoryLimit": 1,
                    "failedJobsHistoryLimit": 3,
                    "jobTemplate": {"metadata": {"labels": dict(POD_LABELS)}, "spec": job_spec},
                },
            )
        )
        self.initial_job = cdk8s.ApiObject(
            self,
            "InitialJob",
            api_version="batch/v1",
            kind="Job",
            metadata=cdk8s.ApiObjectMetadata(name=INITIAL_JOB_NAME, namespace=namespace, labels=dict(POD_LABELS)),
        )
        self.initial_job.add_json_patch(
            cdk8s.JsonPatch.add("/spec", {**job_spec, "ttlSecondsAfterFinished": INITIAL_JOB_TTL_SECONDS})
        )


def rbac_rules() -> list[dict[str, Any]]:
    """Only the pull Secret and the `default` ServiceAccount, by name where RBAC allows it."""
    return [
        {"apiGroups": [""], "resources": ["secrets"], "resourceNames": [PULL_SECRET_NAME],
         "verbs": ["get", "patch", "update", "delete"]},
        # RBAC cannot limit `create` by resourceNames (the name is not known when a create is
        # authorized), so this grants creating any Secret in the namespace. Server-side apply
        # needs it the first time, when the pull Secret does not exist yet.
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]},
        {"apiGroups": [""], "resources": ["serviceaccounts"], "resourceNames": [DEFAULT_SERVICE_ACCOUNT],
         "verbs": ["get", "patch"]},
    ]


def _check_registry(registry: str, region: str) -> None:
    match = PRIVATE_ECR_REGISTRY.fullmatch(registry)
    if match is None:
        raise ValueError(f"registry must look like 123456789012.dkr.ecr.us-west-2.amazonaws.com, got {registry!r}")
    if not is_region(region):
        raise ValueError(f"region must look like us-west-2, got {region!r}")
    if match["region"] != region:  # an ECR token only logs in to registries of its own region
        raise ValueError(f"registry {registry} is in {match['region']}, but the token would be fetched in {region}")


def _job_spec(*, namespace: str, registry: str, region: str) -> dict[str, Any]:
    """The Job spec both the CronJob and the initial Job run."""
    return {
        "backoffLimit": 3,
        "activeDeadlineSeconds": 300,  # a hung run must not block the next (concurrencyPolicy Forbid)
        "template": {"metadata": {"labels": dict(POD_LABELS)}, "spec": _pod_spec(namespace=namespace, registry=registry, region=region)},
    }


def _pod_spec(*, namespace: str, registry: str, region: str) -> dict[str, Any]:
    work_mount = [{"name": "work", "mountPath": WORK_DIR}]
    return {
        "serviceAccountName": SERVICE_ACCOUNT_NAME,
        "automountServiceAccountToken": True,
        "restartPolicy": "Never",  # a retry gets a fresh pod and an empty work volume
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_ID,
            "runAsGroup": RUN_AS_ID,
            "fsGroup": RUN_AS_ID,  # lets that user read the projected Pod Identity token
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        # Containers run in order: token -> Secret -> ServiceAccount patch.
        "initContainers": [
            _container(
                "get-login-token",
                AWS_CLI_IMAGE,
                ["/bin/bash", "-c", _login_script(namespace=namespace, registry=registry, region=region)],
                work_mount,
                memory="256Mi",
            ),
            _container(
                "apply-pull-secret",
                KUBECTL_IMAGE,
                ["/bin/kubectl", "apply", "--server-side", "--force-conflicts", f"--field-manager={FIELD_MANAGER}",
                 f"--namespace={namespace}", f"--filename={PULL_SECRET_FILE}"],
                work_mount,
                memory="128Mi",
            ),
        ],
        "containers": [
            _container(
                "patch-default-service-account",
                KUBECTL_IMAGE,
                # A merge patch replaces the list, as the original CronJob's patch did.
                ["/bin/kubectl", "patch", "serviceaccount", DEFAULT_SERVICE_ACCOUNT, f"--namespace={namespace}",
                 "--type=merge", f'--patch={{"imagePullSecrets":[{{"name":"{PULL_SECRET_NAME}"}}]}}'],
                work_mount,
                memory="128Mi",
            )
        ],
        # Memory-backed: the token never touches the node's disk.
        "volumes": [{"name": "work", "emptyDir": {"medium": "Memory", "sizeLimit": "32Mi"}}],
    }


def _container(name: str, image: str, command: list[str], mounts: list[dict[str, Any]], *, memory: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "command": command,
        # HOME on the work volume: the AWS CLI and kubectl's discovery cache may write there.
        "env": [{"name": "HOME", "value": WORK_DIR}],
        # A CPU cap too: a runaway login loop must not take a GPU node's CPU from the runner.
        "resources": {"requests": {"cpu": "50m", "memory": memory}, "limits": {"cpu": "500m", "memory": memory}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": mounts,
    }


def _login_script(*, namespace: str, registry: str, region: str) -> str:
    """Writes the docker-registry Secret manifest for `registry` to the work volume.

    Values are interpolated only after the regex checks above, so they hold no shell or JSON
    metacharacters. The token stays in shell variables and builtins (printf), off every argv.
    """
    secret = (
        '{"apiVersion":"v1","kind":"Secret",'
        f'"metadata":{{"name":"{PULL_SECRET_NAME}","namespace":"{namespace}","labels":{{"app":"{POD_LABELS["app"]}"}}}},'
        '"type":"kubernetes.io/dockerconfigjson","data":{".dockerconfigjson":"%s"}}'
    )
    return "\n".join(
        [
            "set -euo pipefail",
            "umask 077",
            f'token="$(aws ecr get-login-password --region {region})"',
            "auth=\"$(printf 'AWS:%s' \"$token\" | base64 -w0)\"",
            f"config=\"$(printf '{{\"auths\":{{\"{registry}\":{{\"username\":\"AWS\",\"password\":\"%s\",\"auth\":\"%s\"}}}}}}' "
            '"$token" "$auth" | base64 -w0)"',
            f"printf '{secret}\\n' \"$config\" > {PULL_SECRET_FILE}",
            f'echo "pull secret for {registry} written"',
        ]
    )
