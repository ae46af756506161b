"""Runner queues: exact names, encrypted, TLS only, each with its own 14-day dead-letter queue and a redrive policy."""
from __future__ import annotations


import aws_cdk as cdk
import pytest

from stacks.runner_queues import RunnerQueues
from tests.stacks.addons.bare_stack import ENV, synth_with_nag

NAMES = ["sqs_studio", "sqs_studio_big"]
FOURTEEN_DAYS = 14 * 24 * 3600


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    def build(stack):
        return {"queues": RunnerQueues(stack, "Queues", names=NAMES, visibility_timeout=cdk.Duration.minutes(15), max_receive_count=3)}
    return synth_with_nag(tmp_path_factory.mktemp("runner-queues"), build)


def _resources(template, resource_type):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def _queue_named(template, name):
    found = [(k, v) for k, v in _resources(template, "AWS::SQS::Queue").items() if v["Properties"]["QueueName"] == name]
    assert len(found) == 1, f"no queue {name}"
    return found[0]


def test_one_queue_and_one_dead_letter_queue_per_name(synthesized):
    names = sorted(q["Properties"]["QueueName"] for q in _resources(synthesized.template, "AWS::SQS::Queue").values())
    assert names == ["dlq_sqs_studio", "dlq_sqs_studio_big", "sqs_studio", "sqs_studio_big"]
    assert list(synthesized.queues.queues) == NAMES


def test_each_queue_redrives_to_its_own_dead_letter_queue(synthesized):
    for name in NAMES:
        dlq_id, dlq = _queue_named(synthesized.template, f"dlq_{name}")
        queue_id, queue = _queue_named(synthesized.template, name)
        assert queue["Properties"] == {
            "QueueName": name,
            "SqsManagedSseEnabled": True,
            "VisibilityTimeout": 900,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 3},
        }
        assert dlq["Properties"] == {"QueueName": f"dlq_{name}", "SqsManagedSseEnabled": True,
                                     "MessageRetentionPeriod": FOURTEEN_DAYS}
        assert synthesized.stack.resolve(synthesized.queues.queues[name].queue_arn) == {"Fn::GetAtt": [queue_id, "Arn"]}


def test_every_queue_refuses_requests_without_tls(synthesized):
    policies = _resources(synthesized.template, "AWS::SQS::QueuePolicy").values()
    protected = set()
    for policy in policies:
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny" and statement["Action"] == "sqs:*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        protected.add(policy["Properties"]["Queues"][0]["Ref"])
    assert protected == set(_resources(synthesized.template, "AWS::SQS::Queue"))


def test_queues_and_their_dead_letters_outlive_the_stack_and_any_change_that_drops_them(synthesized):
    queues = _resources(synthesized.template, "AWS::SQS::Queue").values()
    assert len(queues) == 2 * len(NAMES)
    for queue in queues:
        assert (queue["DeletionPolicy"], queue["UpdateReplacePolicy"]) == ("Retain", "Retain")
        # SQS-managed keys: no key of the stack's has to outlive it for the kept messages to stay readable.
        assert queue["Properties"]["SqsManagedSseEnabled"] is True and "KmsMasterKeyId" not in queue["Properties"]


def test_cdk_nag_finds_nothing_to_acknowledge(synthesized):
    # A plugin with neither violations nor suppressed ones leaves no report of its own.
    assert synthesized.report["pluginReports"] == []


@pytest.mark.parametrize("names, message", [
    ([], "names must list at least one queue"),
    (["sqs_a", "sqs_a"], "queue names must be unique: sqs_a repeated"),
    (["sqs_a", "dlq_sqs_a"], "queue names clash with dead-letter queue names: dlq_sqs_a"),
    (["sqs.a"], r"queue name 'sqs.a': use letters, digits, '-' and '_', at most 76 characters \(room for 'dlq_'\)"),
    (["q" * 77], "at most 76 characters"),
])
def test_bad_names_are_refused(names, message):
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    with pytest.raises(ValueError, match=message):
        RunnerQueues(stack, "Queues", names=names, visibility_timeout=cdk.Duration.minutes(1))


def test_max_receive_count_outside_sqs_range_is_refused():
    stack = cdk.Stack(cdk.App(), "Bad", env=ENV)
    with pytest.raises(ValueError, match="max_receive_count must be from 1 to 1000 \\(SQS's range\\), got 0"):
        RunnerQueues(stack, "Queues", names=["sqs_a"], visibility_timeout=cdk.Duration.minutes(1), max_receive_count=0)
