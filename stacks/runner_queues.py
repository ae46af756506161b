"""The SQS work queues the runner reads, each with its own dead-letter queue, encrypted and reachable over TLS only.

The queues outlive the stack and any change that drops them (DeletionPolicy and UpdateReplacePolicy Retain): they hold
work requests someone sent (and, in the dead-letter queues, the ones that failed), which nothing can bring back. They are
encrypted with SQS-managed keys, so no key of the stack's has to stay for them to remain readable. A kept queue keeps its
name, so deploying the same configuration again must adopt it (`make adopt-queues`, README "Queues outlive the stack").
"""
from __future__ import annotations

import re
from typing import Sequence, cast

from aws_cdk import CfnResource, Duration, RemovalPolicy, aws_sqs as sqs
from constructs import Construct

from domain.names import CREATED_QUEUE_NAME_MAX, DEAD_LETTER_PREFIX
from stacks.nag import skip_checkov

# checkov's CKV_AWS_27 looks only for KmsMasterKeyId and misses SqsManagedSseEnabled, which these queues set.
SSE_SQS_REASON = ("encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which checkov's check does not read; "
                  "a customer managed key would make every sender and the runner need KMS permissions, and the AWS "
                  "managed key (alias/aws/sqs) would shut out senders in other accounts")

# SQS's longest retention: time to look at a failed request before it is gone.
DEAD_LETTER_RETENTION = Duration.days(14)
# SQS queue names: letters, digits, `-` and `_`, 80 characters at most (the dead-letter prefix included).
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,%d}" % CREATED_QUEUE_NAME_MAX)


def dead_letter_queue_name(name: str) -> str:
    return f"{DEAD_LETTER_PREFIX}{name}"


class RunnerQueues(Construct):
    """One queue per name; a message received `max_receive_count` times without being deleted moves to `dlq_<name>`."""

    def __init__(self, scope: Construct, id: str, *, names: Sequence[str], visibility_timeout: Duration,
                 max_receive_count: int = 5) -> None:
        super().__init__(scope, id)
        _check(names, max_receive_count)
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for name in names:
            dead_letters = sqs.Queue(
                self, f"{name}DeadLetters",
                queue_name=dead_letter_queue_name(name),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                retention_period=DEAD_LETTER_RETENTION,
                removal_policy=RemovalPolicy.RETAIN,
            )
            self.dead_letter_queues[name] = dead_letters
            self.queues[name] = sqs.Queue(
                self, name,
                queue_name=name,
                # SQS-managed keys: senders and the runner need no KMS permissions, unlike a customer managed key.
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                visibility_timeout=visibility_timeout,
                dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=max_receive_count),
                removal_policy=RemovalPolicy.RETAIN,
            )
            for queue in (dead_letters, self.queues[name]):
                skip_checkov(cast(CfnResource, queue.node.default_child), "CKV_AWS_27", SSE_SQS_REASON)


def _check(names: Sequence[str], max_receive_count: int) -> None:
    if not names:
        raise ValueError("names must list at least one queue")
    duplicates = sorted({name for name in names if list(names).count(name) > 1})
    if duplicates:
        raise ValueError(f"queue names must be unique: {', '.join(duplicates)} repeated")
    clashes = sorted(name for name in names if dead_letter_queue_name(name) in names)
    if clashes:
        raise ValueError(f"queue names clash with dead-letter queue names: {', '.join(dead_letter_queue_name(n) for n in clashes)}")
    for name in names:
        if not QUEUE_NAME.fullmatch(name):
            raise ValueError(f"queue name {name!r}: use letters, digits, '-' and '_', at most "
                             f"{CREATED_QUEUE_NAME_MAX} characters (room for {DEAD_LETTER_PREFIX!r})")
    if not 1 <= max_receive_count <= 1000:
        raise ValueError(f"max_receive_count must be from 1 to 1000 (SQS's range), got {max_receive_count}")
