"""The runner's own charts: GPU checks, SQS credentials, the ECR pull-secret refresh, the runner and its queue scaling."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Mapping, Sequence

from aws_cdk import CfnOutput, Duration, Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct, IConstruct

from charts.ecr_credential_refresh import POD_LABELS as ECR_POD_LABELS, SERVICE_ACCOUNT_NAME as ECR_SERVICE_ACCOUNT, EcrCredentialRefreshChart
from charts.gpu_checks import NVIDIA_SMI_POD_NAME, TF_GPU_POD_NAME, GpuChecksChart
from charts.gpu_verifier_rbac import GpuVerifierRbacChart
from charts.queue_scaling import QueueScalingChart
from charts.object_names import APP_LABEL as RUNNER_APP_LABEL, DEPLOYMENT_NAME, SMOKE_TEST_JOB_NAME
from charts.runner import RunnerChart
from charts.sqs_credentials import SqsCredentialsChart
from domain.credential_files import SqsCredentialFiles
from domain.warm_hours import WarmHours
from stacks.addons import Workload
from stacks.manifests import ManifestApplier
from stacks.nag import acknowledge
from stacks.pod_identity import PodIdentityRole

if TYPE_CHECKING:
    import cdk8s

    from stacks.install_plan import Installed

# How long the deploy waits for the smoke test when verifyGpuOnDeploy is on: inside the kubectl
# handler's 15-minute Lambda limit, long enough for a GPU node to start and pull the CUDA image.
SMOKE_TEST_WAIT = Duration.minutes(14)

# The `app` label of every pod this project runs in the runner's namespace: the NetworkPolicy lets nothing in to them.
OUR_POD_APPS = (RUNNER_APP_LABEL["app"], SMOKE_TEST_JOB_NAME, TF_GPU_POD_NAME, NVIDIA_SMI_POD_NAME, ECR_POD_LABELS["app"])


@dataclass(frozen=True)
class GpuChecks:
    smoke_test: bool
    test_pods: bool
    wait_for_smoke_test: bool  # the deploy fails unless the smoke test succeeds


@dataclass(frozen=True)
class Runner:
    """RunnerChart's arguments; `replicas` None leaves the count to the queue scaling."""
    image: str
    replicas: int | None
    gpus: int
    cpu: str
    memory: str
    scratch_size: str
    queue_match: str
    cache_size: str
    clear_text_messages: bool
    sqs_secret_optional: bool
    limits_env: Mapping[str, str]  # MAX_CORES, MAX_MEM, TASK_DISK (domain/runner_sizing.py): the runner sizes itself from its pod


@dataclass(frozen=True)
class SqsCredentials:
    """Exactly one source: `files` (the Secret from them, in the template) or `secrets_manager_secret_name` (synced in the cluster)."""
    files: SqsCredentialFiles | None = None
    secrets_manager_secret_name: str | None = None


@dataclass(frozen=True)
class QueueScaling:
    queue_urls: Sequence[str]
    min_replicas: int
    max_replicas: int
    messages_per_replica: int
    warm_hours: WarmHours | None = None
    warm_runners: int = 1


class GpuWorkloads(Construct):
    """Applies the runner's charts through `manifests`, in order, in `namespace`, each after what it waits for."""

    def __init__(self, scope: Construct, id: str, *, manifests: ManifestApplier, agent: IConstruct | None, namespace: str,
                 namespace_ready: IConstruct | None, region: str, nodes: Sequence[IConstruct], add_ons: "Installed",
                 gpu_checks: GpuChecks, runner: Runner, sqs_credentials: SqsCredentials | None,
                 sqs_credentials_after: Sequence[IConstruct | None] = (), ecr_registry: str | None = None,
                 queue_scaling: QueueScaling | None = None, queue_scaling_after: Sequence[IConstruct | None] = ()) -> None:
        """`namespace_ready`: what creates the namespace and its policies; `nodes`: what the GPU checks wait for; `add_ons`:
        what the install plan built, each chart also waits for the add-ons that name it (the device plugin, External
        Secrets, KEDA); `sqs_credentials_after`: the secret the stack manages; `ecr_registry`: refresh a pull secret for
        this private registry; `queue_scaling_after`: the queues."""
        super().__init__(scope, id)
        self._manifests = manifests
        self._add_ons = add_ons
        cluster = manifests.cluster
        k8s = manifests.k8s_app
        if gpu_checks.smoke_test or gpu_checks.test_pods:
            checks = GpuChecksChart(k8s, "gpu-checks", namespace=namespace, region=region, smoke_test=gpu_checks.smoke_test,
                                    test_pods=gpu_checks.test_pods)
            applied = self._apply("gpu-checks", checks, after=[namespace_ready, *nodes])
            if gpu_checks.wait_for_smoke_test:
                self._wait_for_smoke_test(cluster, namespace, applied)

        secret = None
        if sqs_credentials is not None:
            chart = SqsCredentialsChart(k8s, "sqs-credentials", namespace=namespace, region=region, files=sqs_credentials.files,
                                        secrets_manager_secret_name=sqs_credentials.secrets_manager_secret_name)
            secret = self._apply("sqs-credentials", chart, after=[namespace_ready, *sqs_credentials_after])
        pull_secret = None
        if ecr_registry is not None:
            pull_secret = self._ecr_refresh(cluster, agent, namespace, namespace_ready, ecr_registry, runner.image)

        self.runner = self._apply("runner", RunnerChart(k8s, "runner", namespace=namespace, **asdict(runner)),
                                  after=[namespace_ready, secret, pull_secret])
        if queue_scaling is not None:
            scaling = QueueScalingChart(k8s, "queue-scaling", namespace=namespace, deployment_name=DEPLOYMENT_NAME, region=region,
                                        # fields, not asdict: the warm hours stay a WarmHours
                                        **{f.name: getattr(queue_scaling, f.name) for f in fields(queue_scaling)})
            self._apply("queue-scaling", scaling, after=[self.runner, *queue_scaling_after])
        self._apply("gpu-verifier-rbac", GpuVerifierRbacChart(k8s, "gpu-verifier-rbac", namespace=namespace), after=[namespace_ready])

    def _apply(self, name: Workload, chart: "cdk8s.Chart", *, after: Sequence[IConstruct | None]) -> eks.KubernetesManifest:
        """Applies `chart` as `name` after `after` and after the add-ons that name it (the install plan says which)."""
        return self._manifests.apply(name, chart, after=[*after, *self._add_ons.before(name)])

    def _wait_for_smoke_test(self, cluster: eks.ICluster, namespace: str, gpu_checks: eks.KubernetesManifest) -> None:
        succeeded = eks.KubernetesObjectValue(
            self, "GpuSmokeTestSucceeded", cluster=cluster, object_type="job", object_name=SMOKE_TEST_JOB_NAME,
            object_namespace=namespace, json_path=".status.succeeded", timeout=SMOKE_TEST_WAIT)
        succeeded.node.add_dependency(gpu_checks)
        CfnOutput(self, "GpuSmokeTest", value=succeeded.value,
                  description=f"Pods of Job {SMOKE_TEST_JOB_NAME} that ran nvidia-smi on a GPU; the deploy fails when none did")

    def _ecr_refresh(self, cluster: eks.ICluster, agent: IConstruct | None, namespace: str, namespace_ready: IConstruct | None,
                     registry: str, image: str) -> eks.KubernetesManifest:
        identity = PodIdentityRole(self, "EcrRefreshIdentity", cluster=cluster, agent=agent, namespace=namespace,
                                   service_account=ECR_SERVICE_ACCOUNT,
                                   description="Refreshes the runner's ECR pull secret: a token that may pull the runner image only")
        identity.role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        acknowledge(identity.role, "IAM5[Resource::*]",
                    "ecr:GetAuthorizationToken has no resource-level permissions: AWS requires Resource * for it. "
                    "The token only grants what the caller may pull, and this role may pull the runner's repository only")
        account, region = registry.split(".")[0], registry.split(".")[3]
        # The token carries this role's permissions: without the pull actions on the repository, the
        # docker-registry Secret it makes is refused by ECR. A repository in another account must also
        # allow this role in its repository policy (README, "Private ECR images").
        repository = Stack.of(self).format_arn(service="ecr", account=account, region=region, resource="repository",
                                               resource_name=ecr_repository_name(image, registry))
        identity.role.add_to_policy(iam.PolicyStatement(
            actions=["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], resources=[repository]))
        chart = EcrCredentialRefreshChart(self._manifests.k8s_app, "ecr-credential-refresh", namespace=namespace, registry=registry,
                                          region=region)
        return self._apply("ecr-credential-refresh", chart, after=[namespace_ready, identity.association])


def ecr_repository_name(image: str, registry: str) -> str:
    """`<registry>/team/runner:0.14.2` or `...@sha256:...` -> `team/runner`."""
    path = image.removeprefix(registry + "/").split("@")[0]
    name, _, tag = path.rpartition(":")
    return name if name and "/" not in tag else path
