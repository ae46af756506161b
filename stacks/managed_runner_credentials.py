"""An IAM user for the runner's SQS access, its access key, and the Secrets Manager secret the cluster copies it from.

Runner 0.14 reads SQS credentials only from a shared credentials file: no IAM role, so a static key. The secret
holds the two files the runner reads, `credentials` and `config`, as the JSON properties External Secrets copies.
The key is created by CloudFormation and goes straight into the secret: the template holds references, no key.
Rotate it by raising `key_serial`: CloudFormation creates the new key, updates the secret, then deletes the old key.
The user's policy sits on a group (IAM's advice: policies on groups or roles, never on a user), and the secret
is encrypted with its own key, which External Secrets may use through Secrets Manager only.
"""
from __future__ import annotations

import json

from typing import Sequence, cast

from aws_cdk import ArnFormat, Fn, RemovalPolicy, SecretValue, Stack, aws_iam as iam, aws_kms as kms, aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.nag import acknowledge, wildcard_resource_finding

# What the runner calls: it lists queues, then receives, extends, deletes; scalers read the queue depth.
QUEUE_ACTIONS = ("sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
LIST_ACTION = "sqs:ListQueues"
CREDENTIALS_PROPERTY = "credentials"
CONFIG_PROPERTY = "config"
PROFILE = "default"
# Where the key's references go in the secret's JSON text.
_KEY_ID_PLACEHOLDER = "@ACCESS_KEY_ID@"
_SECRET_KEY_PLACEHOLDER = "@SECRET_ACCESS_KEY@"


def credentials_file_text(access_key_id: str, secret_access_key: str) -> str:
    return f"[{PROFILE}]\naws_access_key_id = {access_key_id}\naws_secret_access_key = {secret_access_key}\n"


def config_file_text(region: str) -> str:
    """The config file: the runner tells it from the credentials file by its `region` line."""
    return f"[{PROFILE}]\nregion = {region}\n"


class ManagedRunnerCredentials(Construct):
    """User `user` may work on the queues named in `queues` in `region`, or on every `<queue_prefix>*` queue when none
    are named; `secret` holds its key as the runner's two files."""

    def __init__(self, scope: Construct, id: str, *, secret_name: str, region: str, queue_prefix: str,
                 queues: Sequence[str] = (), key_serial: int = 1) -> None:
        super().__init__(scope, id)
        if not queues and not queue_prefix:
            raise ValueError("queue_prefix must not be empty when no queues are named: the user would read every queue in the account")
        stack = Stack.of(self)
        self._region = region
        # Named queues: those only. The prefix is for a runner that finds its queues at run time (QUEUE_MATCH).
        queue_arns = [stack.format_arn(service="sqs", region=region, resource=name, arn_format=ArnFormat.NO_RESOURCE_NAME)
                      for name in (queues or [f"{queue_prefix}*"])]
        self.group = iam.Group(self, "Group")
        # The group's one policy, which holds both statements: for a group, the dependable aws-cdk-lib answers with is that policy.
        self.policy = cast(iam.Policy, self.group.add_to_principal_policy(
            iam.PolicyStatement(actions=[LIST_ACTION], resources=["*"])).policy_dependable)
        self.group.add_to_principal_policy(iam.PolicyStatement(actions=list(QUEUE_ACTIONS), resources=queue_arns))
        self.user = iam.User(self, "User", groups=[self.group])
        self.access_key = iam.AccessKey(self, "AccessKey", user=self.user, serial=key_serial)
        self.key = kms.Key(self, "SecretKey", description=f"Encrypts the runner's SQS credentials secret {secret_name}",
                           enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)  # goes with the secret
        self.secret = secretsmanager.Secret(
            self, "Secret",
            secret_name=secret_name,
            description="studio-go-runner SQS credentials: the shared credentials and config files, for External Secrets",
            encryption_key=self.key,
            secret_string_value=SecretValue(_secret_json(self.access_key, region)),  # the key's Ref and GetAtt, no key
        )
        self._acknowledge(stack, queue_arns if not queues else [])

    def grant_key_use(self, reader: iam.IGrantable) -> None:
        """Lets `reader` (External Secrets) decrypt the secret, through Secrets Manager in this region only."""
        self.key.grant_decrypt(kms.ViaServicePrincipal(f"secretsmanager.{self._region}.amazonaws.com", reader.grant_principal))

    def _acknowledge(self, stack: Stack, wildcard_arns: Sequence[str]) -> None:
        acknowledge(self.policy, "IAM5[Resource::*]",
                    "sqs:ListQueues has no resource-level permissions and only takes Resource *; it returns queue URLs, no messages")
        for arn in wildcard_arns:
            acknowledge(self.policy, wildcard_resource_finding(stack, arn),
                        "no queues are listed, so the runner picks its queues at run time by name prefix (QUEUE_MATCH); the "
                        "wildcard covers only queues with that prefix in this account and region, for receive, visibility, "
                        "delete and attributes")
        acknowledge(self.secret, "SMG4",
                    "runner 0.14 cannot use IAM roles for SQS and needs a static access key; Secrets Manager cannot rotate "
                    "an IAM access key by itself. Rotation is a deploy with a higher key_serial, which replaces the key")


def _secret_json(access_key: iam.AccessKey, region: str) -> str:
    """`{"credentials": ..., "config": ...}` as one Fn::Join, the key's two references spliced into the JSON text.

    Written as JSON here, then cut at the placeholders: Secret(secret_object_value=...) leaves the newlines of
    a joined value unescaped, which is not JSON. Key ids and secret keys need no escaping (letters, digits, + and /).
    """
    text = json.dumps({
        CREDENTIALS_PROPERTY: credentials_file_text(_KEY_ID_PLACEHOLDER, _SECRET_KEY_PLACEHOLDER),
        CONFIG_PROPERTY: config_file_text(region),
    })
    before_id, rest = text.split(_KEY_ID_PLACEHOLDER)
    between, after_key = rest.split(_SECRET_KEY_PLACEHOLDER)
    return Fn.join("", [before_id, access_key.access_key_id, between, access_key.secret_access_key.unsafe_unwrap(), after_key])
