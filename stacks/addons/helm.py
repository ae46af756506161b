"""Installing an add-on's Helm release: the same shape for every add-on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from aws_cdk import Duration, aws_eks_v2 as eks
from constructs import Construct, IConstruct

from stacks.pod_identity import PodIdentityRole

# The release waits for its pods: inside the kubectl handler's 15-minute Lambda limit.
RELEASE_TIMEOUT = Duration.minutes(10)


@dataclass(frozen=True)
class HelmRelease:
    """Which chart, and where it goes. `create_namespace` None keeps aws-cdk-lib's default."""
    repository: str
    chart: str
    version: str
    namespace: str
    release: str
    create_namespace: bool | None = None


def install_release(scope: Construct, id: str, *, cluster: eks.ICluster, release: HelmRelease, values: Mapping[str, Any],
                    identity: PodIdentityRole, after: Sequence[IConstruct] = ()) -> eks.HelmChart:
    """The release, installed once its Pod Identity association exists and after `after`; it waits until its pods run."""
    chart = eks.HelmChart(
        scope, id, cluster=cluster, chart=release.chart, repository=release.repository, version=release.version,
        namespace=release.namespace, create_namespace=release.create_namespace, release=release.release, values=dict(values),
        wait=True, timeout=RELEASE_TIMEOUT)
    # Credentials reach a pod only if the association exists when it starts.
    for dependency in (identity.association, *after):
        chart.node.add_dependency(dependency)
    return chart
