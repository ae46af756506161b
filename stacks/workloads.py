"""The runbook's Kubernetes steps, done by CloudFormation: each cdk8s chart applied as a KubernetesManifest, in order."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import cdk8s
from aws_cdk import ArnFormat, CfnOutput, Duration, Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct, IConstruct

from charts.device_plugin import DevicePluginChart
from charts.ecr_credential_refresh import POD_LABELS as ECR_POD_LABELS, SERVICE_ACCOUNT_NAME as ECR_SERVICE_ACCOUNT, EcrCredentialRefreshChart
from charts.external_secrets import (ESO_CHART_NAME, ESO_CHART_REPOSITORY, ESO_CHART_VERSION, ESO_NAMESPACE, ESO_SERVICE_ACCOUNT,
                                     eso_helm_values)
from charts.gpu_checks import NVIDIA_SMI_POD_NAME, SMOKE_TEST_JOB_NAME, TF_GPU_POD_NAME, GpuChecksChart
from charts.gpu_verifier_rbac import GpuVerifierRbacChart
from charts.keda import KEDA_CHART_NAME, KEDA_CHART_REPOSITORY, KEDA_CHART_VERSION, KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT, keda_values
from charts.queue_scaling import QueueScalingChart
from charts.runner import APP_LABEL as RUNNER_APP_LABEL, DEPLOYMENT_NAME, RunnerChart
from charts.runner_namespace import RunnerNamespaceChart
from charts.sqs_credentials import SqsCredentialsChart
from settings import Settings
from stacks.nag import acknowledge
from stacks.pod_identity import PodIdentityRole

# How long the deploy waits for the smoke test when verifyGpuOnDeploy is on: inside the kubectl
# handler's 15-minute Lambda limit, long enough for a GPU node to start and pull the CUDA image.
SMOKE_TEST_WAIT = Duration.minutes(14)

# The `app` label of every pod this project runs in the runner's namespace: the NetworkPolicy lets nothing in to them.
OUR_POD_APPS = (RUNNER_APP_LABEL["app"], SMOKE_TEST_JOB_NAME, TF_GPU_POD_NAME, NVIDIA_SMI_POD_NAME, ECR_POD_LABELS["app"])


@dataclass
class RenderedChart:
    """A chart as applied to the cluster, and as written to dist/ for review."""
    file_name: str
    chart: cdk8s.Chart
    manifest: eks.KubernetesManifest


class GpuWorkloads(Construct):
    """Device plugin, GPU checks, SQS credentials, the runner and its queue scaling, applied to `cluster` after `nodes`."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, nodes: Sequence[IConstruct], settings: Settings,
                 queue_urls: Sequence[str] = (), queues: IConstruct | None = None, sqs_secret: IConstruct | None = None) -> None:
        """`queue_urls`: what KEDA watches (`queues`: their creation, when the stack creates them);
        `sqs_secret`: the stack's own Secrets Manager secret in `managed` mode."""
        super().__init__(scope, id)
        self._cluster = cluster
        self.k8s_app = cdk8s.App()
        self.charts: list[RenderedChart] = []
        self.notes: list[str] = []
        ns = settings.namespace
        self.pod_identity_agent = eks.Addon(self, "PodIdentityAgent", cluster=cluster, addon_name="eks-pod-identity-agent")
        for group in nodes:  # add-on pods need a node to run on
            self.pod_identity_agent.node.add_dependency(group)

        self._nodes = list(nodes)
        namespace_chart = RunnerNamespaceChart(self.k8s_app, "runner-namespace", namespace=ns, pod_apps=OUR_POD_APPS)
        namespace = self._apply("runner-namespace", namespace_chart)

        device_plugin = None
        if settings.device_plugin_needed:
            device_plugin = self._apply("device-plugin", DevicePluginChart(self.k8s_app, "device-plugin", version=settings.device_plugin_version),
                                        after=nodes)
        else:
            self.notes.append(f"note: no NVIDIA device plugin DaemonSet: {settings.gpu_ami_type} nodes run their own")

        if settings.gpu_smoke_test or settings.gpu_test_pods:
            checks = GpuChecksChart(self.k8s_app, "gpu-checks", namespace=ns, region=settings.region,
                                    smoke_test=settings.gpu_smoke_test, test_pods=settings.gpu_test_pods)
            gpu_checks = self._apply("gpu-checks", checks, after=[namespace, *nodes, device_plugin])
            if settings.verify_gpu_on_deploy:
                self._verify_gpus(ns, gpu_checks)

        self._sqs_secret = sqs_secret
        secrets = self._sqs_credentials(settings, namespace)
        pull_secret = self._ecr_refresh(settings, namespace) if settings.ecr_refresh else None

        if settings.autoscaling_enabled and settings.nodes_min == 0 and not settings.queues and settings.runner_replicas > 0:
            self.notes.append(f"note: nodesMin=0 but {settings.runner_replicas} runner pod(s) always want a GPU, so GPU nodes never "
                              "reach zero; list queues= so KEDA can scale the runner to zero")
        if settings.queue_autoscaling:
            self.notes.append(f"note: runnerReplicas ({settings.runner_replicas}) is not applied: KEDA sets the runner's replicas "
                              f"from the queues ({settings.runner_replica_bounds[0]} to {settings.runner_replica_bounds[1]})")
        runner = RunnerChart(
            self.k8s_app, "runner", namespace=ns, image=settings.runner_image,
            replicas=None if settings.queue_autoscaling else settings.runner_replicas,
            gpus=settings.runner_gpus, cpu=settings.runner_cpu, memory=settings.runner_memory,
            scratch_size=settings.runner_scratch_size, queue_match=settings.queue_match, cache_size=settings.cache_size,
            clear_text_messages=settings.clear_text_messages, sqs_secret_optional=settings.sqs_credentials == "none",
            limits_env=settings.runner_limits.env())
        runner_manifest = self._apply("runner", runner, after=[namespace, secrets, pull_secret])
        if settings.queue_autoscaling:
            self._queue_autoscaling(settings, queue_urls, after=[runner_manifest, queues])
        self._apply("gpu-verifier-rbac", GpuVerifierRbacChart(self.k8s_app, "gpu-verifier-rbac", namespace=ns), after=[namespace])

    # --- pieces --------------------------------------------------------------------------------

    def _apply(self, name: str, chart: cdk8s.Chart, after: Sequence[IConstruct | None] = ()) -> eks.KubernetesManifest:
        manifest = eks.KubernetesManifest(self, _construct_id(name), cluster=self._cluster, manifest=chart.to_json(),
                                          overwrite=True)  # apply, not create: adopts objects a runbook made by hand
        for dependency in after:
            if dependency is not None:
                manifest.node.add_dependency(dependency)
        self.charts.append(RenderedChart(f"{len(self.charts):02d}-{name}.k8s.yaml", chart, manifest))
        return manifest

    def _verify_gpus(self, namespace: str, gpu_checks: eks.KubernetesManifest) -> None:
        succeeded = eks.KubernetesObjectValue(
            self, "GpuSmokeTestSucceeded", cluster=self._cluster, object_type="job", object_name=SMOKE_TEST_JOB_NAME,
            object_namespace=namespace, json_path=".status.succeeded", timeout=SMOKE_TEST_WAIT)
        succeeded.node.add_dependency(gpu_checks)
        CfnOutput(self, "GpuSmokeTest", value=succeeded.value,
                  description=f"Pods of Job {SMOKE_TEST_JOB_NAME} that ran nvidia-smi on a GPU; the deploy fails when none did")

    def _sqs_credentials(self, settings: Settings, namespace: eks.KubernetesManifest | None) -> eks.KubernetesManifest | None:
        if settings.sqs_credentials == "none":
            return None
        if settings.sqs_credentials == "file":
            self.notes.append("warning: sqsCredentials=file stores your SQS access keys in plaintext in the CloudFormation template, "
                              "in cdk.out and in the kubectl handler's logs; use sqsCredentials=secretsmanager beyond a trial")
            chart = SqsCredentialsChart(self.k8s_app, "sqs-credentials", namespace=settings.namespace, region=settings.region,
                                        files=settings.sqs_files)
            return self._apply("sqs-credentials", chart, after=[namespace])
        operator = self._external_secrets_operator(settings)
        chart = SqsCredentialsChart(self.k8s_app, "sqs-credentials", namespace=settings.namespace, region=settings.region,
                                    secrets_manager_secret_name=settings.sqs_secret_name)
        return self._apply("sqs-credentials", chart, after=[namespace, operator, self._sqs_secret])

    def _external_secrets_operator(self, settings: Settings) -> eks.HelmChart:
        identity = PodIdentityRole(self, "ExternalSecretsIdentity", cluster=self._cluster, agent=self.pod_identity_agent,
                                   namespace=ESO_NAMESPACE, service_account=ESO_SERVICE_ACCOUNT,
                                   description="External Secrets Operator: reads the runner's SQS credentials secret, nothing else")
        self.external_secrets_role = identity.role
        stack = Stack.of(self)
        # Secrets Manager appends six random characters to a secret's ARN.
        secret_arn = stack.format_arn(service="secretsmanager", resource="secret", resource_name=f"{settings.sqs_secret_name}-??????",
                                      arn_format=ArnFormat.COLON_RESOURCE_NAME)
        identity.role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                                                        resources=[secret_arn]))
        chart = eks.HelmChart(
            self, "ExternalSecrets", cluster=self._cluster, chart=ESO_CHART_NAME, repository=ESO_CHART_REPOSITORY,
            version=ESO_CHART_VERSION, namespace=ESO_NAMESPACE, create_namespace=True, release="external-secrets",
            values=eso_helm_values(scoped_namespace=settings.namespace, on_system_nodes=settings.system_nodes > 0),
            wait=True,  # CRDs and the webhook must serve before the SecretStore is applied
            timeout=Duration.minutes(10))
        chart.node.add_dependency(identity.association)  # the controller pod gets credentials only if it starts after this
        for group in self._nodes:  # `wait` needs nodes to run the controller on
            chart.node.add_dependency(group)
        return chart

    def _ecr_refresh(self, settings: Settings, namespace: eks.KubernetesManifest | None) -> eks.KubernetesManifest:
        identity = PodIdentityRole(self, "EcrRefreshIdentity", cluster=self._cluster, agent=self.pod_identity_agent,
                                   namespace=settings.namespace, service_account=ECR_SERVICE_ACCOUNT,
                                   description="Refreshes the runner's ECR pull secret: a token that may pull the runner image only")
        identity.role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        acknowledge(identity.role, "IAM5[Resource::*]",
                    "ecr:GetAuthorizationToken has no resource-level permissions: AWS requires Resource * for it. "
                    "The token only grants what the caller may pull, and this role may pull the runner's repository only")
        registry = settings.ecr_registry
        account, region = registry.split(".")[0], registry.split(".")[3]
        # The token carries this role's permissions: without the pull actions on the repository, the
        # docker-registry Secret it makes is refused by ECR. A repository in another account must also
        # allow this role in its repository policy (README, "Private ECR images").
        repository = Stack.of(self).format_arn(service="ecr", account=account, region=region, resource="repository",
                                               resource_name=ecr_repository_name(settings.runner_image, registry))
        identity.role.add_to_policy(iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], resources=[repository]))
        chart = EcrCredentialRefreshChart(self.k8s_app, "ecr-credential-refresh", namespace=settings.namespace, registry=registry, region=region)
        return self._apply("ecr-credential-refresh", chart, after=[namespace, identity.association])

    def _queue_autoscaling(self, settings: Settings, queue_urls: Sequence[str], after: Sequence[IConstruct | None]) -> None:
        """KEDA, allowed only to read the listed queues' attributes, and the runner's ScaledObject."""
        identity = PodIdentityRole(self, "KedaIdentity", cluster=self._cluster, agent=self.pod_identity_agent,
                                   namespace=KEDA_NAMESPACE, service_account=KEDA_OPERATOR_SERVICE_ACCOUNT,
                                   description="KEDA operator: reads the depth of the runner's queues, nothing else")
        stack = Stack.of(self)
        queue_arns = [stack.format_arn(service="sqs", region=settings.region, resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME)
                      for name in settings.queues]
        identity.role.add_to_policy(iam.PolicyStatement(actions=["sqs:GetQueueAttributes"], resources=queue_arns))
        keda = eks.HelmChart(
            self, "Keda", cluster=self._cluster, chart=KEDA_CHART_NAME, repository=KEDA_CHART_REPOSITORY, version=KEDA_CHART_VERSION,
            namespace=KEDA_NAMESPACE, create_namespace=True, release="keda", values=keda_values(watch_namespace=settings.namespace),
            wait=True, timeout=Duration.minutes(10))
        for dependency in (identity.association, *self._nodes):
            keda.node.add_dependency(dependency)
        minimum, maximum = settings.runner_replica_bounds
        chart = QueueScalingChart(self.k8s_app, "queue-scaling", namespace=settings.namespace, deployment_name=DEPLOYMENT_NAME,
                                  region=settings.region, queue_urls=queue_urls, min_replicas=minimum, max_replicas=maximum,
                                  messages_per_replica=settings.queue_length_per_runner)
        self._apply("queue-scaling", chart, after=[*after, keda])

    def write_manifests(self, directory: Path) -> list[Path]:
        """Every chart as `dist/NN-<chart>.k8s.yaml`, numbered in apply order (for review, or `kubectl apply -f dist/`)."""
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.k8s.yaml"):
            stale.unlink()
        written = []
        for rendered in self.charts:
            path = directory / rendered.file_name
            path.write_text(_readable_tokens(cdk8s.Yaml.stringify(*rendered.chart.to_json())))
            written.append(path)
        return written


def _readable_tokens(text: str) -> str:
    """Values CloudFormation fills in at deploy time (an env-agnostic account id) shown as `${AWS::AccountId}`."""
    return re.sub(r"\$\{Token\[AWS\.([A-Za-z]+)\.\d+\]\}", r"${AWS::\1}", text)


def ecr_repository_name(image: str, registry: str) -> str:
    """`<registry>/team/runner:0.14.2` or `...@sha256:...` -> `team/runner`."""
    path = image.removeprefix(registry + "/").split("@")[0]
    name, _, tag = path.rpartition(":")
    return name if name and "/" not in tag else path


def _construct_id(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-")) + "Manifest"
