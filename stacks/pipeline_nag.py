"""cdk-nag findings of the resources CDK Pipelines generates, acknowledged policy by policy with the reason.

CDK Pipelines writes its own IAM policies (artifact bucket grants, CodeBuild logs and report
groups, self-mutation). Their wildcards are found here the way cdk-nag's IAM5 names them and
acknowledged on the one policy that holds them, when they match a reviewed pattern below; any
other wildcard stays unacknowledged and fails the synth, so a new one gets reviewed.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

from aws_cdk import Stack, aws_iam as iam, pipelines
from constructs import IConstruct

from stacks.nag import acknowledge, render_intrinsic

# With the enablePartitionLiterals flag the partition is written out (`aws`), else as `<AWS::Partition>`.
PARTITION = r"(?:<AWS::Partition>|aws[a-z-]*)"

REVIEWED_WILDCARDS: list[tuple[str, str]] = [
    (r"Action::(s3:(GetObject|GetBucket|List|DeleteObject|Abort)\*|kms:(ReEncrypt|GenerateDataKey)\*)",
     "aws-cdk-lib grant methods on the pipeline's own artifact bucket and its KMS key; the statement's resources "
     "are that bucket and key only"),
    (r"Resource::<[A-Za-z0-9]+ArtifactsBucket[A-Za-z0-9]+\.Arn>/\*",
     "objects of the pipeline's own artifact bucket, written and read by its actions"),
    (rf"Resource::arn:{PARTITION}:logs:[a-z0-9-]+:\d{{12}}:log-group:/aws/codebuild/(<[A-Za-z0-9]+>:\*|\*)",
     "CodeBuild writes each project's build logs to its own log group; the name is only known with the build"),
    (rf"Resource::arn:{PARTITION}:codebuild:[a-z0-9-]+:\d{{12}}:report-group/(<[A-Za-z0-9]+>-\*|\*)",
     "CodeBuild test report groups of the pipeline's own projects"),
    (r"Resource::arn:\*:iam::\d{12}:role/\*",
     "self-mutation assumes only the CDK bootstrap roles, enforced by the iam:ResourceTag/aws-cdk:bootstrap-role condition"),
    (r"Resource::\*",
     "actions without resource-level permissions (cloudformation:DescribeStacks, s3:ListBucket for bootstrap lookups, "
     "codebuild build control for asset publishing) or KMS keys of cross-region replication buckets unknown at synth"),
]


def acknowledge_pipeline_findings(pipeline: pipelines.CodePipeline) -> None:
    """Call after `pipeline.build_pipeline()`: every generated policy and bucket exists then."""
    supports = list(pipeline.pipeline.cross_region_support.values())
    # Replication buckets in other regions carry generated physical names: review exactly those.
    reviewed = REVIEWED_WILDCARDS + [
        (rf"Resource::arn:{PARTITION}:s3:::{re.escape(Stack.of(pipeline).resolve(support.replication_bucket.bucket_name))}/\*",
         "objects of the pipeline's cross-region replication bucket, which carries artifacts to another region's stage")
        for support in supports]
    for policy in _policies(pipeline):
        for finding in wildcard_findings(Stack.of(policy).resolve(policy.policy_document)):
            reason = next((why for pattern, why in reviewed if re.fullmatch(f"IAM5\\[(?:{pattern})\\]", finding)), None)
            if reason is not None:
                acknowledge(policy, finding, reason)
    buckets = [pipeline.pipeline.artifact_bucket]
    buckets += [support.replication_bucket for support in supports]
    for bucket in buckets:
        acknowledge(bucket, "S1", "holds only pipeline artifacts (sources and cloud assemblies) written and read by the pipeline's "
                                  "own roles; access is recorded by CloudTrail, and server access logs would need another bucket")


def _policies(root: IConstruct) -> Iterator[iam.CfnPolicy]:
    for node in root.node.find_all():
        if isinstance(node, iam.CfnPolicy):
            yield node
    for support in getattr(getattr(root, "pipeline", None), "cross_region_support", {}).values():
        yield from (n for n in support.stack.node.find_all() if isinstance(n, iam.CfnPolicy))


def wildcard_findings(document: dict[str, Any]) -> list[str]:
    """IAM5 finding ids, as cdk-nag names them, for the wildcards of a resolved policy document."""
    findings: list[str] = []
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")):
            if "*" in action:
                findings.append(f"IAM5[Action::{action}]")
        for resource in _as_list(statement.get("Resource")):
            text = render_intrinsic(resource)
            if "*" in text:
                findings.append(f"IAM5[Resource::{text}]")
    return list(dict.fromkeys(findings))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


