"""External Secrets Operator: copies the runner's SQS credentials from Secrets Manager into the cluster."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from aws_cdk import ArnFormat, Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct, IConstruct

from stacks.addons.external_secrets import (ESO_CHART_NAME, ESO_CHART_REPOSITORY, ESO_CHART_VERSIONS, ESO_NAMESPACE, ESO_SERVICE_ACCOUNT,
                                            eso_helm_values)
from stacks.addons.helm import HelmRelease, install_release
from stacks.pod_identity import PodIdentityRole

if TYPE_CHECKING:
    from stacks.install_plan import Site


def external_secrets_release(kubernetes_version: str) -> HelmRelease:
    """The release pinned for the cluster's Kubernetes minor: moving a minor up upgrades it in the same deploy."""
    return HelmRelease(repository=ESO_CHART_REPOSITORY, chart=ESO_CHART_NAME, version=ESO_CHART_VERSIONS[kubernetes_version],
                       namespace=ESO_NAMESPACE, release="external-secrets", create_namespace=True)


def external_secrets_identity(scope: Construct, id: str, *, cluster: eks.ICluster, agent: IConstruct | None) -> PodIdentityRole:
    """The operator's Pod Identity role, keyed on its namespace and service account; `ExternalSecretsOperator` grants it the secret."""
    return PodIdentityRole(scope, id, cluster=cluster, agent=agent, namespace=ESO_NAMESPACE, service_account=ESO_SERVICE_ACCOUNT,
                           description="External Secrets Operator: reads the runner's SQS credentials secret, nothing else")


class ExternalSecretsOperator(Construct):
    """The operator's Helm release (this construct's default child); its role may read secret `secret_name` only."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, identity: PodIdentityRole, secret_name: str,
                 values: Mapping[str, Any], release: HelmRelease, after: Sequence[IConstruct] = ()) -> None:
        """`after`: what must run before the release can wait for its pods (the nodes)."""
        super().__init__(scope, id)
        # Secrets Manager appends six random characters to a secret's ARN.
        secret_arn = Stack.of(self).format_arn(service="secretsmanager", resource="secret", resource_name=f"{secret_name}-??????",
                                               arn_format=ArnFormat.COLON_RESOURCE_NAME)
        identity.role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                                                        resources=[secret_arn]))
        # Id `Default`: the release keeps the logical id it was deployed with. It waits so the CRDs and the
        # webhook serve before a SecretStore is applied.
        self.release = install_release(self, "Default", cluster=cluster, release=release, values=values, identity=identity,
                                       after=after)


def install(site: "Site") -> ExternalSecretsOperator:
    """Under the stack's applier (ids `ExternalSecretsIdentity` and `ExternalSecrets`, where they were deployed), scoped to
    the runner's namespace, on the system nodes when there are any; its role may read the runner's secret (and use the key
    of a secret the stack manages)."""
    settings, capacity = site.settings, site.capacity
    identity = external_secrets_identity(site.manifests, "ExternalSecretsIdentity", cluster=site.cluster,
                                         agent=capacity.pod_identity_agent)
    operator = ExternalSecretsOperator(site.manifests, "ExternalSecrets", cluster=site.cluster, identity=identity,
                                       secret_name=settings.credentials.sqs_secret_name,
                                       release=external_secrets_release(settings.cluster.kubernetes_version),
                                       values=eso_helm_values(scoped_namespace=settings.runner.namespace,
                                                              on_system_nodes=bool(capacity.system_node_selector),
                                                              node_selector=capacity.system_node_selector,
                                                              tolerations=capacity.system_tolerations),
                                       after=capacity.ready)
    if site.runner_credentials:
        site.runner_credentials.grant_key_use(identity.role)
    return operator
