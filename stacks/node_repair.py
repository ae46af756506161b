"""Node auto repair of the GPU nodegroup, with explicit actions for GPU faults.

aws_eks_v2's `enable_node_auto_repair=True` sets only `NodeRepairConfig.Enabled`. CloudFormation's
AWS::EKS::Nodegroup NodeRepairConfig (aws-cdk-lib 2.275.0: CfnNodegroup.NodeRepairConfigProperty) also takes
`NodeRepairConfigOverrides`: per condition and reason, a `RepairAction` (Replace | Reboot | NoAction, EKS API
reference "NodeRepairConfigOverrides") and `MinRepairWaitTimeMins`; each override must give all four.

The reasons are the node monitoring agent's (github.com/aws/eks-node-monitoring-agent v1.7.0,
pkg/reasons/reasons.yaml, condition AcceleratedHardwareReady; XID 79 is in WellKnownXidCodes of
monitors/nvidia/dcgm/dcgm_policies.go, so it is reported as `NvidiaXID79Error`, through DCGM). Faults a reboot cannot fix are replaced:
a GPU that fell off the bus (XID 79, and the GPU count no longer matching the instance type) and uncorrectable
double-bit ECC memory errors. A runner stuck on a dead GPU holds its message until the visibility timeout, so
these wait the same 10 minutes EKS waits for AcceleratedHardwareReady by default, not longer.
DCGMError (the agent cannot reach its DCGM host engine) is a monitoring fault, not a GPU fault: NoAction, so a
DCGM conflict shows on the dashboard and in `make verify` instead of replacing healthy nodes in a loop.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from aws_cdk import aws_eks_v2 as eks

from stacks.addons.node_monitoring_agent import ACCELERATED_HARDWARE_CONDITION

GPU_FAULT_WAIT_MINUTES = 10

# reason -> repair action, for condition AcceleratedHardwareReady
GPU_REPAIR_ACTIONS: dict[str, str] = {
    "NvidiaXID79Error": "Replace",  # XID 79: the GPU has fallen off the bus
    "NvidiaDeviceCountMismatch": "Replace",  # fewer GPUs than the instance type has
    "NvidiaDoubleBitError": "Replace",  # uncorrectable ECC memory error
    "DCGMError": "NoAction",
}


def gpu_repair_overrides() -> list[dict[str, object]]:
    return [{"NodeMonitoringCondition": ACCELERATED_HARDWARE_CONDITION, "NodeUnhealthyReason": reason,
             "RepairAction": action, "MinRepairWaitTimeMins": GPU_FAULT_WAIT_MINUTES}
            for reason, action in GPU_REPAIR_ACTIONS.items()]


def add_repair_overrides(nodegroup: eks.Nodegroup, overrides: Sequence[Mapping[str, object]]) -> None:
    """Adds `overrides` to a nodegroup built with enable_node_auto_repair=True (aws_eks_v2 sets only `Enabled`)."""
    cfn = nodegroup.node.default_child
    assert isinstance(cfn, eks.CfnNodegroup)
    cfn.add_property_override("NodeRepairConfig.NodeRepairConfigOverrides", [dict(o) for o in overrides])
