"""CloudWatch Container Insights: the `amazon-cloudwatch-observability` EKS add-on with an EKS Pod Identity role.

Facts, with their sources:
- Add-on name `amazon-cloudwatch-observability`; version 3.1.0 or later can take its permissions through EKS Pod
  Identity; the role needs the AWS managed policy CloudWatchAgentServerPolicy and is bound to service account
  `cloudwatch-agent` in namespace `amazon-cloudwatch` (CloudWatch user guide, "Quick start with the Amazon
  CloudWatch Observability EKS add-on"; EKS user guide, "Amazon CloudWatch Observability agent"). Fluent Bit runs
  under the same service account (helm-charts, amazon-cloudwatch-observability-6.2.0, fluent-bit-daemonset.yaml).
- Configuration values are the chart's values (github.com/aws-observability/helm-charts, tag
  amazon-cloudwatch-observability-6.2.0, values.yaml): root `tolerations` (default `[{operator: Exists}]`, added
  after aws/containers-roadmap#2195; set here explicitly so an older default cannot leave GPU nodes without an
  agent), `dcgmExporter.enabled`, `neuronMonitor.enabled` (helm-charts#190).
- Its DCGM exporter starts its own DCGM host engine unless told otherwise, and the chart offers no way to point
  it at another one (`dcgmExporter.arguments` is not used by any template at 6.2.0). The node monitoring agent's
  DCGM server is a second host engine on the same GPUs, which has made nodes report AcceleratedHardwareReady=False
  and be replaced (aws/containers-roadmap#2763, #2555). One owner per GPU: the exporter runs only when the node
  monitoring agent does not (`dcgm_exporter`).
- Known gap: the operator has not always copied tolerations onto the DcgmExporter DaemonSet
  (aws/amazon-cloudwatch-agent-operator#290, open). The toleration is set in the values; README.md gives the
  one-line patch from that issue for a cluster where the exporter still does not reach the GPU nodes. It is not
  applied from here: a patch of a DaemonSet the operator creates later would fail the deploy when it is not yet there.
"""
from __future__ import annotations

from typing import Any, Sequence

from aws_cdk import RemovalPolicy, aws_eks_v2 as eks, aws_iam as iam, aws_logs as logs
from constructs import Construct, IConstruct

from stacks.capacity import NodeTaint
from stacks.nag import acknowledge, managed_policy_finding
from stacks.pod_identity import PodIdentityRole

ADDON_NAME = "amazon-cloudwatch-observability"
ADDON_VERSION = "v6.2.0-eksbuild.1"  # the chart release whose values.yaml the configuration below was checked against
NAMESPACE = "amazon-cloudwatch"
SERVICE_ACCOUNT = "cloudwatch-agent"
AGENT_POLICY = "CloudWatchAgentServerPolicy"
# Log groups the agent (performance: the metrics, as embedded metric format) and Fluent Bit write to. Created here so
# they expire and go with the stack; left to the add-on they would keep every log forever.
LOG_GROUP_KINDS = ("performance", "application", "dataplane", "host")
LOG_RETENTION = logs.RetentionDays.ONE_MONTH


def log_group_name(cluster_name: str, kind: str) -> str:
    return f"/aws/containerinsights/{cluster_name}/{kind}"


def container_insights_values(*, dcgm_exporter: bool, gpu_taints: Sequence[NodeTaint]) -> dict[str, Any]:
    """Configuration values: collectors on every node, GPU ones included; DCGM's exporter only when it owns DCGM."""
    values: dict[str, Any] = {
        "tolerations": [{"operator": "Exists"}],  # the agent and Fluent Bit are DaemonSets: every node, tainted or not
        "dcgmExporter": {"enabled": dcgm_exporter},
        "neuronMonitor": {"enabled": False},  # no AWS Neuron devices on NVIDIA GPU nodes
    }
    if dcgm_exporter and gpu_taints:
        values["dcgmExporter"]["tolerations"] = [taint.toleration for taint in gpu_taints]
    return values


class ContainerInsights(Construct):
    """The add-on, its Pod Identity role, and the log groups it writes to."""

    def __init__(self, scope: Construct, id: str, *, cluster: eks.ICluster, cluster_name: str, agent: IConstruct | None,
                 nodes: Sequence[IConstruct], dcgm_exporter: bool, gpu_taints: Sequence[NodeTaint]) -> None:
        super().__init__(scope, id)
        self.identity = PodIdentityRole(self, "Identity", cluster=cluster, agent=agent, namespace=NAMESPACE,
                                        service_account=SERVICE_ACCOUNT,
                                        description="CloudWatch agent and Fluent Bit: put Container Insights metrics and logs")
        self.identity.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(AGENT_POLICY))
        acknowledge(self.identity.role, managed_policy_finding(AGENT_POLICY),
                    "the policy AWS documents for the CloudWatch agent: put metrics, logs and traces; AWS keeps it in step with the agent")
        self.log_groups = {kind: logs.LogGroup(self, f"{kind.capitalize()}Logs", log_group_name=log_group_name(cluster_name, kind),
                                               retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY)
                           for kind in LOG_GROUP_KINDS}
        self.addon = eks.Addon(self, "Addon", cluster=cluster, addon_name=ADDON_NAME, addon_version=ADDON_VERSION,
                               configuration_values=container_insights_values(dcgm_exporter=dcgm_exporter, gpu_taints=gpu_taints))
        # The agent gets credentials only if it starts after the association; it writes into the log groups above.
        for dependency in (self.identity.association, *self.log_groups.values(), *nodes):
            self.addon.node.add_dependency(dependency)
