"""The VPC the cluster lives in: public subnets for NAT and load balancers, private subnets for nodes."""
from __future__ import annotations

from aws_cdk import RemovalPolicy, aws_ec2 as ec2, aws_logs as logs
from constructs import Construct


class ClusterNetwork(Construct):
    """A two-zone VPC with NAT egress and flow logs; nodes go in its private subnets."""

    def __init__(self, scope: Construct, id: str, *, nat_gateways: int, flow_log_group_name: str) -> None:
        super().__init__(scope, id)
        self.vpc = ec2.Vpc(
            self, "Vpc",
            max_azs=2,  # EKS needs two zones; every region has at least two, not every account three
            nat_gateways=nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=22),
                ec2.SubnetConfiguration(name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=19),
            ],
        )
        # Rejected traffic only: enough to investigate a blocked node or pod at a fraction of full logging's cost.
        # Named, so the logs key policy can name it (stacks/log_encryption.py).
        self.flow_log_group = logs.LogGroup(self, "FlowLogs", log_group_name=flow_log_group_name,
                                            retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY)
        self.vpc.add_flow_log("FlowLog", destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
                              traffic_type=ec2.FlowLogTrafficType.REJECT)
