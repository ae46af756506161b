"""`eks.Cluster` typed as the `eks.ICluster` it is.

aws-cdk-lib's Python types leave `kubectl_provider_options` off `eks.Cluster` (it is on `eks.ICluster`), so a type
checker does not see that a Cluster is an ICluster, which every construct that takes a cluster asks for. At run time
it is one: this is the same object, only typed.
"""
from __future__ import annotations

from typing import cast

from aws_cdk import aws_eks_v2 as eks


def cluster_interface(cluster: eks.Cluster) -> eks.ICluster:
    return cast(eks.ICluster, cluster)
