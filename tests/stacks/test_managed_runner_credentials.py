"""The runner's SQS user: only the calls it makes, a key that never appears in the template, the secret's two files."""
from __future__ import annotations

import json
import re

import aws_cdk as cdk
import pytest

from domain.credential_files import validate_sqs_credential_texts
from stacks.managed_runner_credentials import ManagedRunnerCredentials
from tests.stacks.addons.bare_stack import ENV, synth_with_nag

SECRET_NAME = "studioml-runner/aws-sqs"
# Stand-ins for what CloudFormation puts in the secret at deploy time: the shapes of a key id and a secret, nothing real.
KEY_ID = "EXAMPLEKEYIDNOTREAL0"
SECRET_KEY = "standin/secret/access/key/for/tests/0000"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    def build(stack):
        return {
            "credentials": ManagedRunnerCredentials(stack, "SqsUser", secret_name=SECRET_NAME, region="us-west-2", queue_prefix="sqs_"),
            "rotated": ManagedRunnerCredentials(stack, "Rotated", secret_name="rotated", region="eu-west-1", queue_prefix="sqs_",
                                                key_serial=2),
            "named": ManagedRunnerCredentials(stack, "Named", secret_name="named", region="us-west-2", queue_prefix="sqs_",
                                              queues=["sqs_train", "sqs_eval"]),
        }
    return synth_with_nag(tmp_path_factory.mktemp("managed-runner-credentials"), build)


def _resource(synthesized, construct):
    return synthesized.template["Resources"][synthesized.stack.get_logical_id(construct.node.default_child)]


def _logical_id(synthesized, construct):
    return synthesized.stack.get_logical_id(construct.node.default_child)


def _secret_text(synthesized, credentials):
    """The secret as Secrets Manager will store it, with stand-ins for the key's two references."""
    key_id = _logical_id(synthesized, credentials.access_key)
    stand_ins = {json.dumps({"Ref": key_id}): KEY_ID, json.dumps({"Fn::GetAtt": [key_id, "SecretAccessKey"]}): SECRET_KEY}
    parts = _resource(synthesized, credentials.secret)["Properties"]["SecretString"]["Fn::Join"][1]
    return "".join(part if isinstance(part, str) else stand_ins[json.dumps(part)] for part in parts)


def _group_statements(synthesized, credentials):
    user = _resource(synthesized, credentials.user)
    group_id = _logical_id(synthesized, credentials.group)
    # IAM's advice (and checkov's CKV_AWS_40): policies on groups, the user only a member.
    assert user == {"Type": "AWS::IAM::User", "Properties": {"Groups": [{"Ref": group_id}]}}
    policy = _resource(synthesized, credentials.policy)["Properties"]
    assert policy["Groups"] == [{"Ref": group_id}] and "Users" not in policy
    return policy["PolicyDocument"]["Statement"]


def _sqs_arn(resource):
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":sqs:us-west-2:123456789012:{resource}"]]}


QUEUE_ACTIONS = ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]


def test_without_queues_the_user_may_work_on_prefixed_queues_in_the_region(synthesized):
    assert _group_statements(synthesized, synthesized.credentials) == [
        {"Action": "sqs:ListQueues", "Effect": "Allow", "Resource": "*"},
        {"Action": QUEUE_ACTIONS, "Effect": "Allow", "Resource": _sqs_arn("sqs_*")},
    ]


def test_with_queues_the_user_may_work_on_those_queues_only(synthesized):
    assert _group_statements(synthesized, synthesized.named) == [
        {"Action": "sqs:ListQueues", "Effect": "Allow", "Resource": "*"},  # the one call that takes no queue
        {"Action": QUEUE_ACTIONS, "Effect": "Allow", "Resource": [_sqs_arn("sqs_train"), _sqs_arn("sqs_eval")]},
    ]


def test_the_secret_has_its_own_rotating_key(synthesized):
    secret = _resource(synthesized, synthesized.credentials.secret)["Properties"]
    key_id = _logical_id(synthesized, synthesized.credentials.key)
    assert secret["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert synthesized.template["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True


def test_the_access_key_belongs_to_the_user_and_rotates_with_the_serial(synthesized):
    for credentials, serial in ((synthesized.credentials, 1), (synthesized.rotated, 2)):
        assert _resource(synthesized, credentials.access_key)["Properties"] == {
            "Serial": serial, "UserName": {"Ref": _logical_id(synthesized, credentials.user)}}


def test_the_secret_holds_the_runners_two_files_as_json_properties(synthesized):
    secret = _resource(synthesized, synthesized.credentials.secret)["Properties"]
    assert secret["Name"] == SECRET_NAME
    assert json.loads(_secret_text(synthesized, synthesized.credentials)) == {
        "credentials": f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n",
        "config": "[default]\nregion = us-west-2\n",
    }
    assert json.loads(_secret_text(synthesized, synthesized.rotated))["config"] == "[default]\nregion = eu-west-1\n"


def test_the_files_pass_the_checks_the_runner_needs(synthesized):
    files = json.loads(_secret_text(synthesized, synthesized.credentials))
    validate_sqs_credential_texts(files["credentials"], files["config"])  # raises, naming the file, when the runner could not read it
    assert files["config"].splitlines()[:2] == ["[default]", "region = us-west-2"]


def test_the_key_reaches_the_secret_only_as_references(synthesized):
    key_id = _logical_id(synthesized, synthesized.credentials.access_key)
    assert _resource(synthesized, synthesized.credentials.secret)["Properties"]["SecretString"] == {"Fn::Join": ["", [
        '{"credentials": "[default]\\naws_access_key_id = ', {"Ref": key_id},
        "\\naws_secret_access_key = ", {"Fn::GetAtt": [key_id, "SecretAccessKey"]},
        '\\n", "config": "[default]\\nregion = us-west-2\\n"}',
    ]]}


def test_nothing_else_reads_the_secret_key_and_no_key_id_is_written_anywhere(synthesized):
    secrets = {_logical_id(synthesized, c.secret) for c in (synthesized.credentials, synthesized.rotated, synthesized.named)}
    readers = {k for k, v in synthesized.template["Resources"].items() if "SecretAccessKey" in json.dumps(v)}
    assert readers == secrets
    assert "Outputs" not in synthesized.template
    for path in synthesized.outdir.rglob("*.json"):
        assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", path.read_text()), path.name


def test_nag_findings_are_acknowledged_on_the_policy_and_the_secret(synthesized):
    (plugin,) = synthesized.report["pluginReports"]
    assert plugin.get("violations", []) == []
    suppressed = {(v["ruleName"], c["constructPath"]) for v in plugin["suppressedViolations"] for c in v["violatingConstructs"]
                  if c["constructPath"].startswith("Test/SqsUser/")}
    assert suppressed == {
        ("AwsSolutions-IAM5[Resource::*]", "Test/SqsUser/Group/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:us-west-2:123456789012:sqs_*]",
         "Test/SqsUser/Group/DefaultPolicy/Resource"),
        ("AwsSolutions-SMG4", "Test/SqsUser/Secret/Resource"),
    }
    named = {(v["ruleName"], c["constructPath"]) for v in plugin["suppressedViolations"] for c in v["violatingConstructs"]
             if c["constructPath"].startswith("Test/Named/")}
    assert named == {("AwsSolutions-IAM5[Resource::*]", "Test/Named/Group/DefaultPolicy/Resource"),
                     ("AwsSolutions-SMG4", "Test/Named/Secret/Resource")}  # no wildcard to acknowledge


def test_an_empty_queue_prefix_is_refused():
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    with pytest.raises(ValueError, match="queue_prefix must not be empty when no queues are named: the user would read every queue in the account"):
        ManagedRunnerCredentials(stack, "SqsUser", secret_name="s", region="us-west-2", queue_prefix="")

