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

Plain data only, so settings can size the system nodes from it; construct.py imports aws-cdk-lib.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from domain.system_pods import SystemPod
from stacks.addons import AddOn, Choices

if TYPE_CHECKING:
    from constructs import IConstruct

    from stacks.capacity import NodeTaint
    from stacks.install_plan import Site

ADDON_NAME = "amazon-cloudwatch-observability"
ADDON_VERSION = "v6.2.0-eksbuild.1"  # the chart release whose values.yaml the configuration below was checked against
NAMESPACE = "amazon-cloudwatch"
SERVICE_ACCOUNT = "cloudwatch-agent"
AGENT_POLICY = "CloudWatchAgentServerPolicy"
# Log groups the agent (performance: the metrics, as embedded metric format) and Fluent Bit write to. Created here so
# they expire and go with the stack; left to the add-on they would keep every log forever.
LOG_GROUP_KINDS = ("performance", "application", "dataplane", "host")

# On the system nodes: aws-observability/helm-charts charts/amazon-cloudwatch-observability/values.yaml at v1.9.0 (agent
# 250m, 128Mi; Fluent Bit 50m, 25Mi; the operator's manager 100m, 64Mi; its DCGM exporter on GPU instance types only).
# Container Insights runs on Graviton since January 2021 (AWS What's New, "Amazon CloudWatch Container Insights now available
# on AWS Graviton2"), with multi-arch agent images (aws/amazon-cloudwatch-agent issue 114).
SYSTEM_PODS = (
    SystemPod("cloudwatch-agent", 0, 250, 128, True, "amazon-cloudwatch-observability values v1.9.0: agent 250m, 128Mi", per_node=True),
    SystemPod("fluent-bit", 0, 50, 25, True, "amazon-cloudwatch-observability values v1.9.0: containerLogs 50m, 25Mi", per_node=True),
    SystemPod("amazon-cloudwatch-observability-controller-manager", 1, 100, 64, True,
              "amazon-cloudwatch-observability values v1.9.0: manager 100m, 64Mi"),
)


def log_group_name(cluster_name: str, kind: str) -> str:
    return f"/aws/containerinsights/{cluster_name}/{kind}"


def dcgm_exporter(choices: Choices) -> bool:
    """One DCGM host engine per GPU: the exporter runs only when no node monitoring agent owns DCGM (the add-on's, or Auto
    Mode's own)."""
    return choices.container_insights and not (choices.node_monitoring_agent or choices.automode)


def container_insights_values(*, dcgm_exporter: bool, gpu_taints: Sequence["NodeTaint"]) -> dict[str, Any]:
    """Configuration values: collectors on every node, GPU ones included; DCGM's exporter only when it owns DCGM."""
    values: dict[str, Any] = {
        "tolerations": [{"operator": "Exists"}],  # the agent and Fluent Bit are DaemonSets: every node, tainted or not
        "dcgmExporter": {"enabled": dcgm_exporter},
        "neuronMonitor": {"enabled": False},  # no AWS Neuron devices on NVIDIA GPU nodes
    }
    if dcgm_exporter and gpu_taints:
        values["dcgmExporter"]["tolerations"] = [taint.toleration for taint in gpu_taints]
    return values


def _installed(choices: Choices) -> bool:
    return choices.container_insights


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.container_insights.construct import install
    return install(site)


ADD_ON = AddOn("container-insights", namespaces=(NAMESPACE,), installed=_installed, install=_install, system_pods=SYSTEM_PODS)
