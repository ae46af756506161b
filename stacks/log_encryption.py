"""KMS keys for every CloudWatch Logs group of the stack: control plane, VPC flow logs, and the Lambda functions'.

The kubectl handler logs every manifest it applies, so its logs are as sensitive as the manifests. aws-cdk-lib
creates the Lambda functions' log groups itself (feature flag @aws-cdk/aws-lambda:useCdkManagedLogGroup) and
takes no key for them: once the stack is built, `encrypt_log_groups` sets a key on every log group in it and names
the group in that key's policy. (Not an aspect: a Python aspect is called back across jsii for every construct of
the stack, which cost 0.4 s of every synth; one `find_all` is one call.) The policy follows the CloudWatch Logs user guide ("Encrypt log data in CloudWatch Logs using AWS KMS"):
the regional logs service may use the key only for these groups (`kms:EncryptionContext:aws:logs:arn`).

Two keys, because a Lambda log group is named after its function, which CloudFormation names at deploy time:
a policy naming the kubectl handler depends on the handler, which depends on the cluster, which depends on the
control-plane log group; one key for both would be a dependency cycle.
"""
from __future__ import annotations

import jsii
from aws_cdk import (ArnFormat, IListProducer, IResolveContext, Lazy, RemovalPolicy, Stack, Token, aws_iam as iam,
                     aws_kms as kms, aws_logs as logs)
from constructs import Construct

LOGS_KMS_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"


class _LogsKey(Construct):
    """A rotating key that the regional logs service may use for the groups in `log_group_arns`, and nothing else."""

    def __init__(self, scope: Construct, id: str, *, description: str) -> None:
        super().__init__(scope, id)
        self.log_group_arns: list[str] = []
        self.key = kms.Key(self, "Key", description=description, enable_key_rotation=True,
                           removal_policy=RemovalPolicy.DESTROY)  # goes with the log groups it protects
        self.key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{Stack.of(self).region}.amazonaws.com")],
            actions=LOGS_KMS_ACTIONS,
            resources=["*"],
            conditions={"ArnEquals": {ENCRYPTION_CONTEXT_KEY: Lazy.uncached_list(_ListOf(self.log_group_arns))}},
        ))


class LogEncryption(Construct):
    """`cluster_logs_key` encrypts the log groups named at synth, `function_logs_key` those named after a Lambda
    function; every log group of the stack must have a name (so a key policy can name it) and a retention.
    The stack calls `encrypt_log_groups` last, when every log group exists."""

    def __init__(self, scope: Construct, id: str, *, cluster_name: str) -> None:
        super().__init__(scope, id)
        self._stack = Stack.of(self)
        self._cluster_logs = _LogsKey(self, "ClusterLogs", description=f"Encrypts the control-plane and VPC flow logs of EKS cluster {cluster_name}")
        self._function_logs = _LogsKey(self, "FunctionLogs", description=f"Encrypts the Lambda logs (kubectl handler, custom resources) of EKS cluster {cluster_name}")
        self.cluster_logs_key, self.function_logs_key = self._cluster_logs.key, self._function_logs.key

    def encrypt_log_groups(self) -> None:
        for node in self._stack.node.find_all():
            if isinstance(node, logs.CfnLogGroup):
                self._encrypt(node)

    def _encrypt(self, node: logs.CfnLogGroup) -> None:
        name = node.log_group_name
        if name is None:
            raise ValueError(f"log group {node.node.path} has no name: no key policy could name it. Give it a log_group_name")
        if node.retention_in_days is None:
            raise ValueError(f"log group {node.node.path} has no retention: it would keep logs forever. Give it a retention")
        owner = self._function_logs if Token.is_unresolved(name) else self._cluster_logs
        node.kms_key_id = owner.key.key_arn
        owner.log_group_arns.append(self.log_group_arn(name))

    def log_group_arn(self, name: str) -> str:
        """The ARN CloudWatch Logs puts in the encryption context: `arn:<partition>:logs:<region>:<account>:log-group:<name>`."""
        return self._stack.format_arn(service="logs", resource="log-group", resource_name=name, arn_format=ArnFormat.COLON_RESOURCE_NAME)


@jsii.implements(IListProducer)
class _ListOf:
    """The list as it stands when the template is written: `encrypt_log_groups` fills it after the stack is built."""

    def __init__(self, items: list[str]) -> None:
        self._items = items

    def produce(self, context: IResolveContext) -> list[str]:
        return list(self._items)
