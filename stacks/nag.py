"""Acknowledging a cdk-nag finding on one construct, with the reason a reviewer reads in the report."""
from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """`finding` is the rule as the report names it without its pack prefix, e.g. `L1` or `IAM4[Policy::...]`."""
    # The validation framework keys findings as `<plugin>::<rule name>`, and cdk-nag's rule names repeat the pack.
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{PACK}::{PACK}-{finding}", reason=reason))


def managed_policy_finding(policy_path: str) -> str:
    """The IAM4 finding id for an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`."""
    return f"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy_path}]"
