"""Acknowledging a cdk-nag finding or skipping a checkov check on one construct, with the reason a reviewer reads."""
from __future__ import annotations

import json
from typing import Any, cast

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations, aws_iam as iam
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(construct: IConstruct, finding: str, reason: str) -> None:
    """`finding` is the rule as the report names it without its pack prefix, e.g. `L1` or `IAM4[Policy::...]`."""
    # The validation framework keys findings as `<plugin>::<rule name>`, and cdk-nag's rule names repeat the pack.
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{PACK}::{PACK}-{finding}", reason=reason))


def managed_policy_finding(policy_path: str) -> str:
    """The IAM4 finding id for an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`."""
    return f"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{policy_path}]"


def wildcard_resource_finding(stack: Stack, resource: str) -> str:
    """The IAM5 finding id cdk-nag reports for a resource with a wildcard, e.g. `IAM5[Resource::arn:<AWS::Partition>:...]`."""
    return f"IAM5[Resource::{render_intrinsic(stack.resolve(resource))}]"


def managed_policy_findings(role: iam.IRole) -> list[str]:
    """The IAM4 finding ids of the AWS managed policies on `role`, read from its template as cdk-nag reads them."""
    stack = Stack.of(role)
    arns = stack.resolve(cast(iam.CfnRole, role.node.default_child).managed_policy_arns) or []  # as deployed
    return [f"IAM4[Policy::{text}]" for text in map(render_intrinsic, arns) if ":iam::aws:" in text]


def render_intrinsic(value: Any) -> str:
    """A resolved value as cdk-nag prints it in finding ids: Ref -> <Id>, GetAtt -> <Id.Attr>, joins concatenated,
    anything else (a condition) as compact JSON."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        joined: str = separator.join(render_intrinsic(part) for part in parts)
        return joined
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)  # JSON.stringify's spelling


def skip_checkov(resource: CfnResource, check_id: str, reason: str) -> None:
    """A checkov skip in the resource's template Metadata (`checkov.skip`, read by checkov's CloudFormation runner)."""
    skips = (resource.get_metadata("checkov") or {}).get("skip", [])
    resource.add_metadata("checkov", {"skip": [*skips, {"id": check_id, "comment": reason}]})
