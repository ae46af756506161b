"""cluster-autoscaler for the GPU nodegroup: Helm on the system nodes, a Pod Identity role, and the ASG tags for scale-from-zero."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from aws_cdk import Stack, aws_eks_v2 as eks
from constructs import Construct, IConstruct

from stacks.addons.cluster_autoscaler import (CA_CHART_NAME, CA_CHART_REPOSITORY, CA_NAMESPACE, CA_SERVICE_ACCOUNT, CA_VERSIONS,
                                              cluster_autoscaler_values)
from stacks.addons.cluster_autoscaler.node_template_tags import NodeTemplateTags, gpu_node_template_tags
from stacks.addons.cluster_autoscaler.policy import acknowledge_autoscaler_policy, cluster_autoscaler_policy_statements
from stacks.addons.helm import HelmRelease, install_release
from stacks.capacity import NodeTaint
from stacks.pod_identity import PodIdentityRole

if TYPE_CHECKING:
    from stacks.install_plan import Site


def cluster_autoscaler_release(kubernetes_version: str) -> HelmRelease:
    chart_version, _image = CA_VERSIONS[kubernetes_version]
    return HelmRelease(repository=CA_CHART_REPOSITORY, chart=CA_CHART_NAME, version=chart_version, namespace=CA_NAMESPACE,
                       release="cluster-autoscaler")


class ClusterAutoscaler(Construct):
    """Scales the GPU nodegroup between its min and max, from zero when nodesMin is 0."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, agent: IConstruct | None, cluster_name: str,
                 region: str, kubernetes_version: str, gpu_nodegroup: eks.INodegroup, gpus_per_node: int,
                 gpu_node_labels: Mapping[str, str], gpu_taints: Sequence[NodeTaint], system_nodes: IConstruct,
                 after: Sequence[IConstruct] = ()) -> None:
        """`after`: anything else the release must wait for; it always waits for `system_nodes`, where it runs."""
        super().__init__(scope, id)
        identity = PodIdentityRole(self, "Identity", cluster=cluster, agent=agent, namespace=CA_NAMESPACE,
                                   service_account=CA_SERVICE_ACCOUNT,
                                   description=f"cluster-autoscaler of {cluster_name}: scales only this cluster's nodegroups")
        for statement in cluster_autoscaler_policy_statements(cluster_name=cluster_name, stack=Stack.of(self)):
            identity.role.add_to_policy(statement)
        acknowledge_autoscaler_policy(identity.role, cluster_name=cluster_name)
        self.role = identity.role

        # Without these the autoscaler cannot know that an empty GPU group would bring a GPU, its label and its taint.
        self.template_tags = NodeTemplateTags(
            self, "GpuNodeTemplateTags", cluster_name=cluster_name, nodegroup_name=gpu_nodegroup.nodegroup_name,
            tags=gpu_node_template_tags(gpus=gpus_per_node, labels=gpu_node_labels,
                                        taints=[(taint.key, taint.value, taint.effect) for taint in gpu_taints]))

        self.chart = install_release(
            self, "Chart", cluster=cluster, release=cluster_autoscaler_release(kubernetes_version),
            values=cluster_autoscaler_values(cluster_name=cluster_name, region=region, kubernetes_version=kubernetes_version),
            identity=identity, after=[system_nodes, *after])


def install(site: "Site") -> ClusterAutoscaler:
    """In the stack's scope (id `Autoscaler`, where it was deployed), on the system nodes the nodegroup capacity made."""
    from stacks.capacity.nodegroup_capacity import NodegroupCapacity
    capacity, settings = site.capacity, site.settings
    if not isinstance(capacity, NodegroupCapacity) or capacity.system_nodes is None:
        raise ValueError("cluster-autoscaler needs managed nodegroups and system nodes to run on: it must not sit on a GPU node "
                         "it removes")
    return ClusterAutoscaler(
        site.stack, "Autoscaler", cluster=site.cluster, agent=capacity.pod_identity_agent, cluster_name=settings.cluster.cluster_name,
        region=settings.cluster.region, kubernetes_version=settings.cluster.kubernetes_version, gpu_nodegroup=capacity.gpu_nodes.nodegroup,
        gpus_per_node=settings.node.gpus_per_node, gpu_node_labels=capacity.gpu_node_labels, gpu_taints=capacity.gpu_taints,
        system_nodes=capacity.system_nodes)
