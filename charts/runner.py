"""The studio-go-runner: its environment, state switch, API access and GPU Deployment.

Object names, keys, volumes and mount paths are the ones the runner's own AWS example
(`examples/aws/deployment.yaml`) and its users rely on; what changed since and why is said
where it is done. Workload objects are plain ApiObjects: cdk8s-plus would add generated
selector labels, default resources and a runAsNonRoot the runner image cannot meet.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from charts.gpu_scheduling import GPU_NODE_SELECTOR, GPU_RESOURCE, GPU_TOLERATION
from charts.rbac import rbac_object, role_ref, service_account_subject
from charts.runner_command import RUNNER_COMMAND
from domain.images import pin_problem
from charts.object_names import APP_LABEL, DEPLOYMENT_NAME

CONTAINER_NAME = "studioml-go-runner"
ENV_CONFIG_MAP_NAME = "studioml-env"
# The runner watches this ConfigMap (in K8S_NAMESPACE); users set STATE to DrainAndSuspend.
STATE_CONFIG_MAP_NAME = "studioml-go-runner"
INITIAL_STATE = "Running"
SERVICE_ACCOUNT_NAME = "studioml-account"
CLUSTER_ROLE_NAME = "studioml-role"
ROLE_BINDING_NAME = "studioml-role-bind"
PULL_SECRET_NAME = "studioml-go-docker-key"

SQS_SECRET_NAME = "studioml-runner-aws-sqs"
MESSAGE_KEY_SECRET_NAME = "studioml-runner-key-secret"
MESSAGE_PASSPHRASE_SECRET_NAME = "studioml-runner-passphrase-secret"
QUEUE_SIGNING_SECRET_NAME = "studioml-signing"
RESPONSE_QUEUE_SIGNING_SECRET_NAME = "studioml-report-keys"

# Paths relative to the image's working directory, /runner.
SQS_CERTS_DIR = "./certs/aws-sqs"
ENCRYPT_DIR = "./certs/message"
# The cache lives on the /tmp scratch volume, so its size counts against scratch_size.
CACHE_DIR = "/tmp/cache"
SCRATCH_MOUNT_PATH = "/tmp"
# The examples log at DBG, a debugging level; INF keeps task progress without the noise.
LOGXI = "*=INF"
LOGXI_FORMAT = "happy,maxcol=1024"

# The runner's real shutdown path (cmd/runner/main.go at 0.14.2): SIGTERM cancels its root context,
# Main sleeps 5 s and returns, so the process ends 5 s later whatever is in flight. A task that stops
# in time has its message handed back (pkg/aws/sqs.go: visibility 0); otherwise the message, no longer
# extended, reappears within its 30 s visibility timeout. The signal goroutine selects once, so after
# the first status or error it reports (a GPU found, ~30 s after start) SIGTERM is ignored and the
# kubelet kills the runner at the end of this period. 15 s covers the 5 s path; more only delays that kill.
TERMINATION_GRACE_PERIOD_SECONDS = 15
# Changing studioml-env (read once at start, through envFrom) changes this pod annotation, which rolls the runners.
CONFIG_HASH_ANNOTATION = "studio-go-runner/config-hash"


class RunnerChart(cdk8s.Chart):
    """Everything the runner needs in its namespace, except the Secrets it mounts."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        namespace: str,
        image: str,
        replicas: int | None,
        gpus: int,
        cpu: str,
        memory: str,
        scratch_size: str,
        queue_match: str,
        cache_size: str,
        clear_text_messages: bool,
        sqs_secret_optional: bool,
        limits_env: Mapping[str, str],
    ) -> None:
        """`limits_env`: MAX_CORES, MAX_MEM and TASK_DISK (domain/runner_sizing.py), so the runner sizes itself from this
        pod; its command (charts/runner_command.py) turns TASK_DISK into MAX_DISK on the node."""
        super().__init__(scope, id)
        _check_image(image)
        if set(limits_env) != {"MAX_CORES", "MAX_MEM", "TASK_DISK"}:
            raise ValueError(f"limits_env must set MAX_CORES, MAX_MEM and TASK_DISK, got {sorted(limits_env)}")
        if gpus < 1:
            raise ValueError(f"the runner needs at least one GPU, got gpus={gpus}")
        if replicas is not None and replicas < 0:
            raise ValueError(f"replicas must be 0 or more (or None for an autoscaler), got {replicas}")

        env = {
            "QUEUE_MATCH": queue_match,
            "SQS_CERTS": SQS_CERTS_DIR,
            # The examples' MESSAGE_CRYPT key is ignored by the runner; ENCRYPT_DIR is read.
            "ENCRYPT_DIR": ENCRYPT_DIR,
            "CACHE_DIR": CACHE_DIR,
            "CACHE_SIZE": cache_size,
            "CLEAR_TEXT_MESSAGES": "true" if clear_text_messages else "false",
            "K8S_NAMESPACE": namespace,
            "LOGXI": LOGXI,
            "LOGXI_FORMAT": LOGXI_FORMAT,
            **limits_env,
        }
        self.env_config_map = kplus.ConfigMap(
            self, "EnvConfigMap", metadata=cdk8s.ApiObjectMetadata(name=ENV_CONFIG_MAP_NAME, namespace=namespace), data=env)
        self.state_config_map = kplus.ConfigMap(
            self,
            "StateConfigMap",
            metadata=cdk8s.ApiObjectMetadata(name=STATE_CONFIG_MAP_NAME, namespace=namespace),
            data={"STATE": INITIAL_STATE},
        )
        self.service_account = kplus.ServiceAccount(
            self,
            "ServiceAccount",
            metadata=cdk8s.ApiObjectMetadata(name=SERVICE_ACCOUNT_NAME, namespace=namespace),
            automount_token=True,
        )
        # Read-only on ConfigMaps: the runner watches its state ConfigMap, nothing more.
        self.cluster_role = rbac_object(self, "ClusterRole", kind="ClusterRole", name=CLUSTER_ROLE_NAME,
                                        rules=[{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}])
        # A RoleBinding (not a ClusterRoleBinding) confines that read access to this namespace.
        self.role_binding = rbac_object(self, "RoleBinding", kind="RoleBinding", name=ROLE_BINDING_NAME, namespace=namespace,
                                        subjects=service_account_subject(SERVICE_ACCOUNT_NAME, namespace),
                                        roleRef=role_ref("ClusterRole", CLUSTER_ROLE_NAME))
        self.deployment = cdk8s.ApiObject(
            self,
            "Deployment",
            api_version="apps/v1",
            kind="Deployment",
            metadata=cdk8s.ApiObjectMetadata(name=DEPLOYMENT_NAME, namespace=namespace, labels=dict(APP_LABEL)),
        )
        spec = _deployment_spec(
            image=image, gpus=gpus, cpu=cpu, memory=memory, scratch_size=scratch_size, sqs_secret_optional=sqs_secret_optional
        )
        spec["template"]["metadata"]["annotations"][CONFIG_HASH_ANNOTATION] = config_hash(env)
        if replicas is not None:  # None: an autoscaler owns spec.replicas, so we must not set it
            spec["replicas"] = replicas
        self.deployment.add_json_patch(cdk8s.JsonPatch.add("/spec", spec))


def config_hash(env: Mapping[str, str]) -> str:
    """A short digest of the runner's environment: equal configurations give equal hashes."""
    return hashlib.sha256(json.dumps(dict(env), sort_keys=True).encode()).hexdigest()[:16]


def _check_image(image: str) -> None:
    if pin_problem(image) is not None:  # a reference pinned to a release tag or a digest
        raise ValueError(f"runner image must be pinned to a version tag (not latest), got {image!r}")


def _deployment_spec(*, image: str, gpus: int, cpu: str, memory: str, scratch_size: str, sqs_secret_optional: bool) -> dict[str, Any]:
    # Requests equal limits: the runner sizes its work from what it is given (Guaranteed QoS).
    resources = {GPU_RESOURCE: str(gpus), "cpu": cpu, "memory": memory}
    return {
        "selector": {"matchLabels": dict(APP_LABEL)},
        # maxSurge 0: a surge pod would wait for a GPU the old pod still holds on a full node,
        # or grab a second GPU; replace one runner at a time instead.
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        "template": {
            # The autoscaler must not evict a runner mid-task to pack nodes; KEDA scales runners down instead.
            "metadata": {"labels": dict(APP_LABEL), "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}},
            "spec": {
                "serviceAccountName": SERVICE_ACCOUNT_NAME,
                "automountServiceAccountToken": True,  # the runner watches its state ConfigMap
                "imagePullSecrets": [{"name": PULL_SECRET_NAME}],
                "terminationGracePeriodSeconds": TERMINATION_GRACE_PERIOD_SECONDS,
                "nodeSelector": dict(GPU_NODE_SELECTOR),
                "tolerations": [dict(GPU_TOLERATION)],
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "containers": [
                    {
                        "name": CONTAINER_NAME,
                        "image": image,
                        "command": list(RUNNER_COMMAND),
                        # The kubelet asks the registry on every start, so a pod without the pull secret never
                        # runs a private runner image another pod left in the node's cache.
                        "imagePullPolicy": "Always",
                        # No liveness probe: :9090 serves /metrics from its own goroutine, apart from the
                        # work loops (go-service pkg/server/prometheus.go at runner 0.14.2), so it answers
                        # while the runner is wedged and proves only that the process lives, which its
                        # exit already shows. A probe there would restart nothing that needs restarting.
                        "envFrom": [{"configMapRef": {"name": ENV_CONFIG_MAP_NAME}}],
                        "resources": {"requests": dict(resources), "limits": dict(resources)},
                        # No runAsNonRoot / readOnlyRootFilesystem: the image has no USER and
                        # keeps HOME, pyenv and pip state under /runner on its own filesystem.
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "privileged": False,
                            "capabilities": {"drop": ["ALL"]},
                        },
                        "volumeMounts": [
                            {"name": volume["name"], "mountPath": path, **({"readOnly": True} if path != SCRATCH_MOUNT_PATH else {})}
                            for volume, path in _volumes(scratch_size, sqs_secret_optional)
                        ],
                    }
                ],
                # The old hostPath mounts of /usr/local/nvidia and libcuda.so.1 are gone: the
                # NVIDIA container toolkit on current GPU AMIs injects the driver libraries.
                "volumes": [volume for volume, _ in _volumes(scratch_size, sqs_secret_optional)],
            },
        },
    }


def _volumes(scratch_size: str, sqs_secret_optional: bool) -> list[tuple[dict[str, Any], str]]:
    """(volume, mount path) pairs; every Secret is mounted read-only."""
    return [
        (_secret_volume("aws-sqs", SQS_SECRET_NAME, ["credentials", "config"], optional=sqs_secret_optional),
         "/runner/certs/aws-sqs/default"),
        # Optional: absent keys mean the runner accepts only clear-text messages (if allowed).
        (_secret_volume("message-encryption", MESSAGE_KEY_SECRET_NAME, ["ssh-privatekey", "ssh-publickey"], optional=True),
         "/runner/certs/message/encryption"),
        (_secret_volume("encryption-passphrase", MESSAGE_PASSPHRASE_SECRET_NAME, ["ssh-passphrase"], optional=True),
         "/runner/certs/message/passphrase"),
        # All keys (one per queue prefix). Optional, instead of the examples' placeholder Secrets.
        (_secret_volume("queue-signing", QUEUE_SIGNING_SECRET_NAME, None, optional=True),
         "/runner/certs/queues/signing"),
        (_secret_volume("response-queue-signing", RESPONSE_QUEUE_SIGNING_SECRET_NAME, None, optional=True),
         "/runner/certs/queues/response-encrypt"),
        ({"name": "tmp-volume", "emptyDir": {"sizeLimit": scratch_size}}, SCRATCH_MOUNT_PATH),
    ]


def _secret_volume(name: str, secret_name: str, keys: list[str] | None, *, optional: bool) -> dict[str, Any]:
    secret: dict[str, Any] = {"secretName": secret_name, "optional": optional}
    if keys is not None:
        secret["items"] = [{"key": key, "path": key} for key in keys]
    return {"name": name, "secret": secret}
