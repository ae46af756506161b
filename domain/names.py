"""Names and their limits, in every place they end up: CloudFormation, EKS, IAM, SQS, Secrets Manager, Kubernetes, git.

Each limit is the one the service documents for the API that receives the name:
- CloudFormation stack names: a letter, then letters, digits and `-`, at most 128 (CreateStack).
- EKS cluster names: a letter or digit, then letters, digits, `-` and `_`, at most 100 (CreateCluster);
  nodegroup names the same pattern, at most 63 (CreateNodegroup).
- SQS queue names: letters, digits, `-` and `_`, at most 80 (CreateQueue).
- Secrets Manager names: letters, digits and `/_+=.@-`, at most 512 (CreateSecret).
- Kubernetes namespaces: DNS-1123 labels, at most 63 (k8s.io/apimachinery validation).
- Branch names: `git check-ref-format` rules.
"""
from __future__ import annotations

import hashlib
import json
import re

CLUSTER_STACK_PREFIX = "GpuCluster-"
PIPELINE_STACK_SUFFIX = "-pipeline"
SYSTEM_NODEGROUP_SUFFIX = "-system"

STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}", re.ASCII)
EKS_NAME = re.compile(r"[0-9A-Za-z][A-Za-z0-9_-]*", re.ASCII)
CLUSTER_NAME_MAX = 100
NODEGROUP_NAME_MAX = 63
# A managed nodegroup's name is `<prefix>-<digest>`, the digest of the properties CloudFormation cannot change in place
# (AWS::EKS::Nodegroup's createOnlyProperties): a new GPU type, capacity type or AMI gives the new nodegroup a new name,
# so CloudFormation creates it before it deletes the old one instead of refusing the update.
NAME_DIGEST_LENGTH = 8
NODEGROUP_PREFIX_MAX = NODEGROUP_NAME_MAX - 1 - NAME_DIGEST_LENGTH

QUEUE_NAME_MAX = 80
# A prefix, not a suffix: `sqs_x-dlq` would match the runner's QUEUE_MATCH (^sqs_.*$) and its user's
# sqs_* permissions, so runners would read their own dead letters. `dlq_sqs_x` stays outside both.
DEAD_LETTER_PREFIX = "dlq_"
QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,%d}" % QUEUE_NAME_MAX, re.ASCII)
CREATED_QUEUE_NAME_MAX = QUEUE_NAME_MAX - len(DEAD_LETTER_PREFIX)

SECRET_NAME = re.compile(r"[A-Za-z0-9/_+=.@-]{1,512}", re.ASCII)
# Secrets Manager appends `-` and six characters to a secret's ARN; a name that already ends like that
# makes the ARN ambiguous (the IAM policies here match `<name>-??????`).
SECRET_NAME_AMBIGUOUS_END = re.compile(r".*-[A-Za-z0-9]{6}", re.ASCII)

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", re.ASCII)

# Namespaces Kubernetes keeps for itself. The runner's namespace is relabelled and, when the stack goes, deleted: never one
# of these, nor one an add-on installs into (stacks/install_plan.py's add_on_namespaces).
KUBERNETES_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
KUBERNETES_NAMESPACE_PREFIX = "kube-"  # Kubernetes' own, now and to come

# `owner/name` of a CodeConnections repository (GitHub, Bitbucket, GitLab): GitHub owners are letters,
# digits and '-'; Bitbucket workspaces add '_'; repository names are at most 100 of letters, digits and `_.-`.
REPOSITORY_OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", re.ASCII)
REPOSITORY_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)

BRANCH_NAME_MAX = 255


def cluster_stack_name(cluster_name: str) -> str:
    return f"{CLUSTER_STACK_PREFIX}{cluster_name}"


def pipeline_stack_name(cluster_name: str) -> str:
    return f"{cluster_stack_name(cluster_name)}{PIPELINE_STACK_SUFFIX}"


def system_nodegroup_name(cluster_name: str) -> str:
    """The system nodegroup's name prefix."""
    return f"{cluster_name}{SYSTEM_NODEGROUP_SUFFIX}"


def replaceable_name(prefix: str, **create_only: object) -> str:
    """`<prefix>-<8 hex digits>`: a name that changes exactly when one of the `create_only` values does."""
    digest = hashlib.sha256(json.dumps(create_only, sort_keys=True).encode()).hexdigest()[:NAME_DIGEST_LENGTH]
    return f"{prefix}-{digest}"


def branch_name_problem(name: str) -> str | None:
    """Why `name` is not a branch git would create (`git check-ref-format --branch`), or None."""
    if not name:
        return "is empty"
    if len(name) > BRANCH_NAME_MAX:
        return f"is longer than {BRANCH_NAME_MAX} characters"
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c in " ~^:?*[\\" for c in name):
        return "holds a space, a control character or one of ~^:?*[\\"
    if name.startswith(("-", "/")) or name.endswith(("/", ".", ".lock")) or name == "@":
        return "starts with - or /, ends with /, . or .lock, or is @"
    if ".." in name or "//" in name or "@{" in name:
        return "holds .., // or @{"
    if any(part.startswith(".") or part.endswith(".lock") for part in name.split("/")):
        return "has a part that starts with . or ends with .lock"
    if not name.isascii():
        return "holds characters outside ASCII"
    return None
