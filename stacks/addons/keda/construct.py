"""KEDA: scales the runner on the depth of its SQS queues."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence

from aws_cdk import ArnFormat, Stack, aws_eks_v2 as eks, aws_iam as iam
from constructs import Construct, IConstruct

from stacks.addons.helm import HelmRelease, install_release
from stacks.addons.keda import (KEDA_CHART_NAME, KEDA_CHART_REPOSITORY, KEDA_CHART_VERSION, KEDA_NAMESPACE, KEDA_OPERATOR_SERVICE_ACCOUNT,
                                keda_values)
from stacks.pod_identity import PodIdentityRole

if TYPE_CHECKING:
    from stacks.install_plan import Site

RELEASE = HelmRelease(repository=KEDA_CHART_REPOSITORY, chart=KEDA_CHART_NAME, version=KEDA_CHART_VERSION, namespace=KEDA_NAMESPACE,
                      release="keda", create_namespace=True)


def keda_identity(scope: Construct, id: str, *, cluster: eks.ICluster, agent: IConstruct | None) -> PodIdentityRole:
    """The KEDA operator's Pod Identity role, keyed on its namespace and service account; `Keda` grants it the queues."""
    return PodIdentityRole(scope, id, cluster=cluster, agent=agent, namespace=KEDA_NAMESPACE,
                           service_account=KEDA_OPERATOR_SERVICE_ACCOUNT,
                           description="KEDA operator: reads the depth of the runner's queues, nothing else")


class Keda(Construct):
    """KEDA's Helm release (this construct's default child); its role may read the attributes of `queues` in `region` only."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, identity: PodIdentityRole, region: str,
                 queues: Sequence[str], values: Mapping[str, Any], release: HelmRelease = RELEASE,
                 after: Sequence[IConstruct] = ()) -> None:
        """`after`: what must run before the release can wait for its pods (the nodes)."""
        super().__init__(scope, id)
        stack = Stack.of(self)
        queue_arns = [stack.format_arn(service="sqs", region=region, resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME)
                      for name in queues]
        identity.role.add_to_policy(iam.PolicyStatement(actions=["sqs:GetQueueAttributes"], resources=queue_arns))
        # Id `Default`: the release keeps the logical id it was deployed with.
        self.release = install_release(self, "Default", cluster=cluster, release=release, values=values, identity=identity,
                                       after=after)


def install(site: "Site") -> Keda:
    """Under the stack's applier (ids `KedaIdentity` and `Keda`, where they were deployed), on the system nodes, watching
    the runner's namespace; its role may read the depth of the runner's queues."""
    settings, capacity = site.settings, site.capacity
    identity = keda_identity(site.manifests, "KedaIdentity", cluster=site.cluster, agent=capacity.pod_identity_agent)
    return Keda(site.manifests, "Keda", cluster=site.cluster, identity=identity, region=settings.cluster.region,
                queues=settings.scaling.queues,
                values=keda_values(watch_namespace=settings.runner.namespace, node_selector=capacity.system_node_selector,
                                   tolerations=capacity.system_tolerations), after=capacity.ready)
