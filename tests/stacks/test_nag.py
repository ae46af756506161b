"""Finding ids derived from a construct are the ones cdk-nag reports: acknowledging them leaves no violation."""
from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from stacks.nag import acknowledge, managed_policy_findings
from tests.stacks.addons.bare_stack import synth_with_nag


def _role_with_a_conditional_managed_policy(stack: cdk.Stack) -> dict:
    """As aws-cdk-lib gives the kubectl handler ECR Public's policy: an AWS managed policy only where a condition holds."""
    role = iam.Role(stack, "Handler", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole"))
    in_aws = cdk.CfnCondition(stack, "InAws", expression=cdk.Fn.condition_equals(cdk.Aws.PARTITION, "aws"))
    public = iam.ManagedPolicy.from_aws_managed_policy_name("AmazonElasticContainerRegistryPublicReadOnly").managed_policy_arn
    role.add_managed_policy(iam.ManagedPolicy.from_managed_policy_arn(
        stack, "Conditional", cdk.Fn.condition_if(in_aws.logical_id, public, cdk.Aws.NO_VALUE).to_string()))
    role.add_managed_policy(iam.ManagedPolicy(stack, "Own", statements=[
        iam.PolicyStatement(actions=["sqs:GetQueueUrl"], resources=["arn:aws:sqs:us-west-2:123456789012:q"])]))  # the customer's own: no IAM4 finding
    findings = managed_policy_findings(role)
    for finding in findings:
        acknowledge(role, finding, "a test of the finding ids: each AWS managed policy of the role, reviewed")
    return {"findings": findings}


def test_managed_policy_findings_are_cdk_nags_including_a_condition(tmp_path):
    synthesized = synth_with_nag(tmp_path, _role_with_a_conditional_managed_policy)
    (plugin,) = synthesized.report["pluginReports"]
    assert plugin.get("violations", []) == []
    iam4 = sorted(v["ruleName"] for v in plugin["suppressedViolations"] if v["ruleName"].startswith("AwsSolutions-IAM4"))
    assert iam4 == sorted(f"AwsSolutions-{finding}" for finding in synthesized.findings)
    assert len(iam4) == 2
    assert any(finding.startswith('IAM4[Policy::{"Fn::If":["InAws",') for finding in synthesized.findings)
