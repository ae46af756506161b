"""`make adopt-queues`: the kept queues a stack lacks, found in the account by name, mapped by QueueUrl for `cdk import`.

AWS::SQS::Queue's primary identifier is QueueUrl (its registry schema), and `cdk import --resource-mapping` takes a
logical id -> {identifier property: value} map; CloudFormation's automatic import refuses read-only identifiers.
"""
from __future__ import annotations

from pathlib import Path

from scripts import adopt_queues
from tests.synth import write_assembly

TEMPLATE = {"Resources": {
    "Queuessqstrain": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "Properties": {"QueueName": "sqs_train"}},
    "QueuessqstrainDeadLetters": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "Properties": {"QueueName": "dlq_sqs_train"}},
    "Scratch": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Delete", "Properties": {"QueueName": "scratch"}},
    "Unnamed": {"Type": "AWS::SQS::Queue", "DeletionPolicy": "Retain", "Properties": {}},
}}
URL = "https://sqs.us-west-2.amazonaws.com/123456789012/{}"


def _cdk_out(root: Path) -> Path:
    return write_assembly(root, "GpuCluster-lab", TEMPLATE)


def test_only_kept_queues_with_their_names_spelt_out_are_candidates(tmp_path):
    template = adopt_queues.stack_template(_cdk_out(tmp_path), "GpuCluster-lab")
    assert adopt_queues.retained_queues(template) == {"Queuessqstrain": "sqs_train", "QueuessqstrainDeadLetters": "dlq_sqs_train"}


def test_the_mapping_holds_what_the_stack_lacks_and_the_account_has():
    queues = {"Queuessqstrain": "sqs_train", "QueuessqstrainDeadLetters": "dlq_sqs_train", "Queuessqseval": "sqs_eval"}
    in_account = {"sqs_train": URL.format("sqs_train"), "dlq_sqs_train": URL.format("dlq_sqs_train")}
    mapping = adopt_queues.resource_mapping(queues, in_stack={"QueuessqstrainDeadLetters"}, queue_url=in_account.get)
    assert mapping == {"Queuessqstrain": {"QueueUrl": URL.format("sqs_train")}}


def test_a_missing_stack_is_one_line_and_exit_2(tmp_path, capsys):
    code = adopt_queues.main(["--cdk-out", str(_cdk_out(tmp_path)), "--stack", "GpuCluster-other", "--stack-path", "prod/x",
                              "--region", "us-west-2"])
    err = capsys.readouterr().err
    assert code == 2 and err == (f"error: adopt-queues: {tmp_path} holds no stack GpuCluster-other: run make synth with the same "
                                 "CDK_ARGS first\n")


def test_bad_arguments_are_one_line_and_exit_2(capsys):
    assert adopt_queues.main(["--cdk-out", "x"]) == 2
    assert capsys.readouterr().err.startswith("error: adopt-queues: usage: ")
