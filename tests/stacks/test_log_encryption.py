"""Every log group is KMS-encrypted and expires; each key serves CloudWatch Logs of this region for its groups only.

Key policy as in the CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS": principal
logs.<region>.amazonaws.com, the kms:Encrypt*/Decrypt*/ReEncrypt*/GenerateDataKey*/Describe* actions, scoped by
kms:EncryptionContext:aws:logs:arn to arn:<partition>:logs:<region>:<account>:log-group:<name>.
"""
from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_logs as logs

from stacks.log_encryption import LOGS_KMS_ACTIONS, LogEncryption
from stacks.nag import render_intrinsic
from tests.synth import resources

pytestmark = pytest.mark.xdist_group("synth")


def _logs_statement(template, key_id):
    statements = template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    (statement,) = [s for s in statements if s["Principal"] == {"Service": "logs.us-west-2.amazonaws.com"}]
    return statement


def _arn(name) -> str:
    """The ARN the key policy must name for a log group name, rendered flat (Ref -> <Id>), as cdk-nag prints it."""
    return f"arn:aws:logs:us-west-2:<AWS::AccountId>:log-group:{render_intrinsic(name)}"


def test_every_log_group_has_a_key_and_a_retention(default, scale):
    for template in (default, scale):
        groups = resources(template, "AWS::Logs::LogGroup")
        assert len(groups) >= 4  # control plane, flow logs, the kubectl provider's two functions
        keys = {g["Properties"]["KmsKeyId"]["Fn::GetAtt"][0] for g in groups.values()}
        assert all(k.startswith("LogEncryption") for k in keys) and len(keys) == 2
        assert all(g["Properties"]["RetentionInDays"] > 0 for g in groups.values())


def test_the_named_groups_and_their_retention(default):
    groups = {json.dumps(g["Properties"]["LogGroupName"]): g["Properties"] for g in resources(default, "AWS::Logs::LogGroup").values()}
    assert groups['"/aws/eks/test-eks/cluster"']["RetentionInDays"] == 90
    assert groups['"/aws/vpc/test-eks/flow-logs"']["RetentionInDays"] == 30
    lambda_groups = [p for name, p in groups.items() if name.startswith('{"Fn::Join": ["", ["/aws/lambda/"')]
    assert len(lambda_groups) >= 2 and all(p["RetentionInDays"] == 731 for p in lambda_groups)


def test_each_key_names_exactly_its_groups(default):
    by_key: dict[str, list[str]] = {}
    for group in resources(default, "AWS::Logs::LogGroup").values():
        by_key.setdefault(group["Properties"]["KmsKeyId"]["Fn::GetAtt"][0], []).append(_arn(group["Properties"]["LogGroupName"]))
    assert len(by_key) == 2
    for key_id, arns in by_key.items():
        statement = _logs_statement(default, key_id)
        assert sorted(statement["Action"]) == sorted(LOGS_KMS_ACTIONS) and statement["Resource"] == "*"
        assert list(statement["Condition"]) == ["ArnEquals"]
        assert list(statement["Condition"]["ArnEquals"]) == ["kms:EncryptionContext:aws:logs:arn"]
        assert sorted(map(render_intrinsic, statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"])) == sorted(arns)
        assert default["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True
    cluster_key = next(k for k in by_key if "ClusterLogs" in k)
    container_insights = [_arn(f"/aws/containerinsights/test-eks/{kind}") for kind in ("performance", "application", "dataplane", "host")]
    assert sorted(by_key[cluster_key]) == sorted([_arn("/aws/eks/test-eks/cluster"), _arn("/aws/vpc/test-eks/flow-logs"), *container_insights])
    function_key = next(k for k in by_key if "FunctionLogs" in k)
    assert all(":log-group:/aws/lambda/<" in arn for arn in by_key[function_key])


def _stack_with(group_props):
    app = cdk.App()
    stack = cdk.Stack(app, "Test", env=cdk.Environment(account="123456789012", region="us-west-2"))
    encryption = LogEncryption(stack, "LogEncryption", cluster_name="c")
    logs.CfnLogGroup(stack, "Group", **group_props)
    encryption.encrypt_log_groups()
    return app


@pytest.mark.parametrize("props, message", [
    ({"retention_in_days": 7}, "log group Test/Group has no name: no key policy could name it. Give it a log_group_name"),
    ({"log_group_name": "g"}, "log group Test/Group has no retention: it would keep logs forever. Give it a retention"),
])
def test_a_log_group_without_a_name_or_retention_is_refused(props, message):
    with pytest.raises(Exception, match=message):
        _stack_with(props)

