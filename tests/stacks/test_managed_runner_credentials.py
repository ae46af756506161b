"""The runner's SQS user: only the calls it makes, a key that never appears in the template, the secret's two files."""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

import aws_cdk as cdk
import cdk_nag
import pytest

from sqs_credentials import validate_sqs_credential_texts
from stacks.managed_runner_credentials import ManagedRunnerCredentials

ENV = cdk.Environment(account="123456789012", region="us-west-2")
SECRET_NAME = "studioml-runner/aws-sqs"
# Stand-ins for what CloudFormation puts in the secret at deploy time (AWS's documentation example key).
KEY_ID = "EXAMPLE-KEY-ID-NOT-REAL"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("managed-runner-credentials")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "Test", env=ENV)
    credentials = ManagedRunnerCredentials(stack, "SqsUser", secret_name=SECRET_NAME, region="us-west-2", queue_prefix="sqs_")
    rotated = ManagedRunnerCredentials(stack, "Rotated", secret_name="rotated", region="eu-west-1", queue_prefix="sqs_", key_serial=2)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    app.synth()  # raises RuntimeError (ValidationFailed) on an unacknowledged finding
    return SimpleNamespace(stack=stack, credentials=credentials, rotated=rotated, outdir=outdir,
                           template=json.loads((outdir / "Test.template.json").read_text()),
                           report=json.loads((outdir / "validation-report.json").read_text()))


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


def test_the_user_may_only_list_queues_and_work_on_prefixed_queues_in_the_region(synthesized):
    user = _resource(synthesized, synthesized.credentials.user)
    assert user == {"Type": "AWS::IAM::User"}  # no managed policies, no login profile, no groups
    policy = _resource(synthesized, synthesized.credentials.user.node.find_child("DefaultPolicy"))["Properties"]
    assert policy["Users"] == [{"Ref": _logical_id(synthesized, synthesized.credentials.user)}]
    assert policy["PolicyDocument"]["Statement"] == [
        {"Action": "sqs:ListQueues", "Effect": "Allow", "Resource": "*"},
        {
            "Action": ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sqs:us-west-2:123456789012:sqs_*"]]},
        },
    ]


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
    validate_sqs_credential_texts(files["credentials"], files["config"])


def test_the_key_reaches_the_secret_only_as_references(synthesized):
    key_id = _logical_id(synthesized, synthesized.credentials.access_key)
    assert _resource(synthesized, synthesized.credentials.secret)["Properties"]["SecretString"] == {"Fn::Join": ["", [
        '{"credentials": "[default]\\naws_access_key_id = ', {"Ref": key_id},
        "\\naws_secret_access_key = ", {"Fn::GetAtt": [key_id, "SecretAccessKey"]},
        '\\n", "config": "[default]\\nregion = us-west-2\\n"}',
    ]]}


def test_nothing_else_reads_the_secret_key_and_no_key_id_is_written_anywhere(synthesized):
    secrets = {_logical_id(synthesized, c.secret) for c in (synthesized.credentials, synthesized.rotated)}
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
        ("AwsSolutions-IAM5[Resource::*]", "Test/SqsUser/User/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:us-west-2:123456789012:sqs_*]",
         "Test/SqsUser/User/DefaultPolicy/Resource"),
        ("AwsSolutions-SMG4", "Test/SqsUser/Secret/Resource"),
    }


def test_an_empty_queue_prefix_is_refused():
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    with pytest.raises(ValueError, match="queue_prefix must not be empty: the user would read every queue in the account"):
        ManagedRunnerCredentials(stack, "SqsUser", secret_name="s", region="us-west-2", queue_prefix="")
