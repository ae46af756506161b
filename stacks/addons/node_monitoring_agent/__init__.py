"""The EKS node monitoring agent add-on: node health conditions (AcceleratedHardwareReady for GPUs) that node auto repair acts on.

Facts from the agent's chart and configuration schema at v1.7.0 (github.com/aws/eks-node-monitoring-agent,
charts/eks-node-monitoring-agent/values.yaml, charts/configuration.schema.json):
- the agent DaemonSet tolerates every taint (`nodeAgent.tolerations: [{operator: Exists}]`);
- the `dcgm-server` DaemonSet, which runs the one DCGM host engine (nv-hostengine) the agent reads GPU health
  from, tolerates nothing (`dcgmAgent.tolerations: []`), so on tainted GPU nodes it never starts and the agent
  reports DCGMError (aws/containers-roadmap#2567): the values add the GPU taint's toleration;
- it needs no AWS permissions (no IAM role, no Pod Identity): it writes node conditions and events through
  the Kubernetes API with its own RBAC.
Its version is EKS's to match to the cluster's minor (`aws eks describe-addon-versions`): no row of our own here.

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

ADDON_NAME = "eks-node-monitoring-agent"
# The chart v1.7.0 ships this image tag; the add-on's configuration schema above is that version's.
ADDON_VERSION = "v1.7.0-eksbuild.1"
NAMESPACE = "kube-system"  # EKS installs the add-on there
# The node condition the agent sets for GPU (and Neuron) faults; node auto repair replaces or reboots on it.
ACCELERATED_HARDWARE_CONDITION = "AcceleratedHardwareReady"

# On every system node: aws/eks-node-monitoring-agent charts/eks-node-monitoring-agent/values.yaml at v1.7.0 (agent requests
# 10m, 30Mi; node affinity amd64 and arm64; its DCGM DaemonSet runs on NVIDIA instance types only).
SYSTEM_PODS = (SystemPod("eks-node-monitoring-agent", 0, 10, 30, True,
                         "aws/eks-node-monitoring-agent chart values v1.7.0: requests 10m, 30Mi; affinity amd64, arm64",
                         per_node=True),)


def node_monitoring_agent_values(*, gpu_taints: Sequence["NodeTaint"]) -> dict[str, Any]:
    """Configuration values: DCGM's server must run where the GPUs are, tainted or not."""
    return {"dcgmAgent": {"tolerations": [taint.toleration for taint in gpu_taints]}} if gpu_taints else {}


def _installed(choices: Choices) -> bool:
    """Asked for, on managed nodegroups: Auto Mode's nodes run the agent themselves (EKS user guide, node-health: the agent and
    node auto repair are enabled with Auto Mode compute)."""
    return choices.node_monitoring_agent and not choices.automode


def _install(site: "Site") -> "IConstruct":
    from stacks.addons.node_monitoring_agent.construct import install
    return install(site)


ADD_ON = AddOn("node-monitoring-agent", namespaces=(NAMESPACE,), installed=_installed, install=_install, system_pods=SYSTEM_PODS)
