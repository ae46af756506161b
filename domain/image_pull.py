"""Parallel image pull on AL2023 GPU nodes: what nodeadm's docs ask of the disk, and what that throughput costs.

awslabs/amazon-eks-ami v20260724 nodeadm/doc/examples.md, "Enabling fast image pull (experimental)": "We recommend at
least 600MiB/s throughput. Below that value, you may see longer image pull times with this flag." gp3 gives 125 MiB/s
without charge and bills what is provisioned above it (Amazon EBS pricing, gp3: $0.040 per provisioned MiB/s-month over
125, us-east-1 and us-west-2).
"""
from __future__ import annotations

FAST_PULL_THROUGHPUT_MIBPS = 600
GP3_BASELINE_THROUGHPUT_MIBPS = 125
GP3_USD_PER_MIBPS_MONTH = 0.040
