"""cluster-autoscaler for the GPU nodegroup: Helm on the system nodes, a Pod Identity role, and the ASG tags for scale-from-zero."""
from __future__ import annotations

from typing import Sequence

from aws_cdk import Duration, Stack, aws_eks_v2 as eks
from constructs import Construct, IConstruct

from charts.cluster_autoscaler import (CA_CHART_NAME, CA_CHART_REPOSITORY, CA_NAMESPACE, CA_SERVICE_ACCOUNT, CA_VERSIONS,
                                       cluster_autoscaler_values)
from charts.gpu_scheduling import GPU_TAINT_EFFECT, GPU_TAINT_KEY, GPU_TAINT_VALUE
from stacks.autoscaler_policy import acknowledge_autoscaler_policy, cluster_autoscaler_policy_statements
from stacks.node_template_tags import NodeTemplateTags, gpu_node_template_tags
from stacks.pod_identity import PodIdentityRole


class ClusterAutoscaler(Construct):
    """Scales the GPU nodegroup between its min and max, from zero when nodesMin is 0."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.Cluster, agent: eks.Addon, cluster_name: str, region: str,
                 kubernetes_version: str, gpu_nodegroup: eks.Nodegroup, gpus_per_node: int, gpu_node_labels: dict[str, str],
                 tainted: bool, system_nodes: IConstruct, after: Sequence[IConstruct] = ()) -> None:
        super().__init__(scope, id)
        identity = PodIdentityRole(self, "Identity", cluster=cluster, agent=agent, namespace=CA_NAMESPACE,
                                   service_account=CA_SERVICE_ACCOUNT,
                                   description=f"cluster-autoscaler of {cluster_name}: scales only this cluster's nodegroups")
        for statement in cluster_autoscaler_policy_statements(cluster_name=cluster_name, stack=Stack.of(self)):
            identity.role.add_to_policy(statement)
        acknowledge_autoscaler_policy(identity.role, cluster_name=cluster_name)
        self.role = identity.role

        # Without these the autoscaler cannot know that an empty GPU group would bring a GPU, its label and its taint.
        taints = [(GPU_TAINT_KEY, GPU_TAINT_VALUE, GPU_TAINT_EFFECT)] if tainted else []
        self.template_tags = NodeTemplateTags(
            self, "GpuNodeTemplateTags", cluster_name=cluster_name, nodegroup_name=gpu_nodegroup.nodegroup_name,
            tags=gpu_node_template_tags(gpus=gpus_per_node, labels=gpu_node_labels, taints=taints))

        chart_version, _image = CA_VERSIONS[kubernetes_version]
        self.chart = eks.HelmChart(
            self, "Chart", cluster=cluster, chart=CA_CHART_NAME, repository=CA_CHART_REPOSITORY, version=chart_version,
            namespace=CA_NAMESPACE, release="cluster-autoscaler",
            values=cluster_autoscaler_values(cluster_name=cluster_name, region=region, kubernetes_version=kubernetes_version),
            wait=True, timeout=Duration.minutes(10))
        # Credentials reach the pod only if the association exists when it starts; it runs on the system nodes.
        for dependency in (identity.association, system_nodes, *after):
            self.chart.node.add_dependency(dependency)
