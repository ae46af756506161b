"""Reusable value types: coercion of context strings and one check per kind of value, each with its message.

A new check is a type here, used by any setting that holds such a value. Every message says what is
wrong and what to do; values are quoted shortened, so a hostile megabyte never fills the terminal.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Callable

from pydantic import AfterValidator, BeforeValidator

from domain import names
from domain.images import DEFAULT_RUNNER_IMAGE, pin_problem
from domain.instance_types import is_ec2_instance_type
from domain.queue_match import QueueMatchError, compile_queue_match
from domain.regions import is_region, partitions
from stacks.install_plan import add_on_namespaces

MAX_TEXT = 4096  # no setting is longer; a longer value is a mistake (or an attack) and is refused before any check


def quoted(value: Any, limit: int = 60) -> str:
    """A value as shown in a message: repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


# --- coercion of context strings -------------------------------------------------------------

def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{quoted(value)} is not a whole number. Give a count such as 1")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):  # ASCII digits only: int() takes any script's
        if len(value.strip().lstrip("-")) > 18:
            raise ValueError(f"{quoted(value)} is far too large for a count. Give a count such as 1")
        number = int(value)
    else:
        raise ValueError(f"{quoted(value)} is not a whole number. Give a count such as 1")
    if number < 0:
        raise ValueError(f"{number} is negative. Give 0 or more")
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{quoted(value)} is not a boolean. Use true or false")


def _text(value: Any) -> str:
    if isinstance(value, (dict, list, tuple, set)) or value is None:
        raise ValueError(f"{quoted(value)} is not a single value. Give a string")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"is {len(text)} characters long. No setting takes more than {MAX_TEXT}")
    return text


def comma_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _text(value).split(",")
    return [_text(item) for item in items if _text(item)]


Count = Annotated[int, BeforeValidator(_whole_number)]
Flag = Annotated[bool, BeforeValidator(_boolean)]
Text = Annotated[str, BeforeValidator(_text)]
CommaList = Annotated[list[str], BeforeValidator(comma_list)]


def at_most(maximum: int, why: str) -> AfterValidator:
    """An upper bound, with the limit it comes from in the message."""
    def check(value: int) -> int:
        if value > maximum:
            raise ValueError(f"{value} is above {maximum}, {why}. Give {maximum} or less")
        return value
    return AfterValidator(check)


def at_least(minimum: int, why: str) -> AfterValidator:
    def check(value: int) -> int:
        if value < minimum:
            raise ValueError(f"{value} is below {minimum}: {why}. Give {minimum} or more")
        return value
    return AfterValidator(check)


def each(check: Callable[[str], None]) -> AfterValidator:
    def run(values: list[str]) -> list[str]:
        for value in values:
            check(value)
        return values
    return AfterValidator(run)


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"lists {quoted(value)} twice. List each once")
        seen.add(value)
    return values


Unique = AfterValidator(_unique)


def _pattern(pattern: re.Pattern[str], what: str, example: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{quoted(value)} is not {what}. Write it like {example}")
        return value
    return AfterValidator(check)


# --- AWS -------------------------------------------------------------------------------------------

def _region(value: str) -> str:
    if not is_region(value):
        raise ValueError(f"{quoted(value)} is not an AWS region. Use a region name such as us-west-2")
    return value


def _account(value: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", value, re.ASCII):
        raise ValueError(f"{quoted(value)} is not an AWS account id. Give the 12-digit account id, or leave it unset")
    return value


Region = Annotated[str, BeforeValidator(_text), AfterValidator(_region)]
AccountId = Annotated[str, BeforeValidator(_text), AfterValidator(_account)]

# IAM: role and user names are at most 64 characters, paths at most 512 (IAM API reference, CreateRole/CreateUser).
_IAM_PRINCIPAL = re.compile(r"arn:(?P<partition>[a-z-]+):iam::(?P<account>[0-9]{12}):(?P<kind>role|user)"
                            r"(?P<path>/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,64})", re.ASCII)


def iam_principal_partition(arn: str) -> str:
    match = _IAM_PRINCIPAL.fullmatch(arn)
    assert match is not None, "checked by the IamPrincipalArn type"
    return match.group("partition")


def _iam_principal_arn(arn: str) -> None:
    match = _IAM_PRINCIPAL.fullmatch(arn)
    if not match or len(match.group("path")) > 512:
        raise ValueError(f"{quoted(arn)} is not an IAM role or user ARN. Write it like arn:aws:iam::123456789012:role/Admin")
    if match.group("partition") not in partitions():
        raise ValueError(f"{quoted(arn)} names partition {match.group('partition')}, which does not exist. "
                         f"Use one of {', '.join(partitions())}")


IamPrincipalArns = Annotated[list[str], BeforeValidator(comma_list), each(_iam_principal_arn), Unique]

_CONNECTION_ARN = re.compile(r"arn:(?P<partition>[a-z-]+):(?:codeconnections|codestar-connections):(?P<region>[a-z0-9-]+):"
                             r"[0-9]{12}:connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)


def _connection_arn(arn: str) -> str:
    match = _CONNECTION_ARN.fullmatch(arn)
    if not match or match.group("partition") not in partitions() or not is_region(match.group("region")):
        raise ValueError(f"{quoted(arn)} is not a CodeConnections ARN. Copy it from the console's connection page: "
                         "arn:aws:codeconnections:<region>:<account>:connection/<id>")
    return arn


ConnectionArn = Annotated[str, BeforeValidator(_text), AfterValidator(_connection_arn)]


def _instance_type(value: str) -> str:
    if not is_ec2_instance_type(value):
        raise ValueError(f"{quoted(value)} is not an EC2 instance type. Write one that exists, like t3.large")
    return value


InstanceType = Annotated[str, BeforeValidator(_text), AfterValidator(_instance_type)]


def _secret_name(value: str) -> str:
    if not names.SECRET_NAME.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not a Secrets Manager secret name. Use 1 to 512 letters, digits and /_+=.@-")
    if names.SECRET_NAME_AMBIGUOUS_END.fullmatch(value):
        raise ValueError(f"{quoted(value)} ends with '-' and six characters, which Secrets Manager's ARNs add themselves. "
                         "End the name differently")
    return value


SecretName = Annotated[str, BeforeValidator(_text), AfterValidator(_secret_name)]


def _queue_name(value: str) -> None:
    if value.endswith(".fifo") or not names.QUEUE_NAME.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not an SQS queue name. Use up to {names.QUEUE_NAME_MAX} letters, digits, '-' or '_' "
                         "(FIFO queues are not served)")


# Each queue adds a KEDA trigger and an ARN (up to ~120 characters) to the KEDA role's inline policy,
# which IAM caps at 10,240 characters per role (IAM quotas).
MAX_QUEUES = 50


def _few_queues(values: list[str]) -> list[str]:
    if len(values) > MAX_QUEUES:
        raise ValueError(f"lists {len(values)} queues; at most {MAX_QUEUES} fit the KEDA role's policy, which IAM limits to "
                         "10,240 characters. Serve fewer queues from this cluster")
    return values


QueueNames = Annotated[list[str], BeforeValidator(comma_list), each(_queue_name), Unique, AfterValidator(_few_queues)]


# --- names ----------------------------------------------------------------------------------------

def _cluster_name(value: str) -> str:
    if not names.EKS_NAME.fullmatch(value) or len(value) > names.CLUSTER_NAME_MAX:
        raise ValueError(f"{quoted(value)} is not a valid EKS cluster name. Use 1 to {names.CLUSTER_NAME_MAX} letters, digits, "
                         "'-' or '_', starting with a letter or digit")
    if "_" in value:
        raise ValueError(f"{quoted(value)} holds '_', which CloudFormation refuses in the stack name "
                         f"{names.cluster_stack_name(value)}. Use '-' instead")
    return value


def _nodegroup_name(value: str) -> str:
    if not names.EKS_NAME.fullmatch(value) or len(value) > names.NODEGROUP_PREFIX_MAX:
        raise ValueError(f"{quoted(value)} is not a valid EKS nodegroup name prefix. Use 1 to {names.NODEGROUP_PREFIX_MAX} letters, "
                         f"digits, '-' or '_', starting with a letter or digit (EKS allows {names.NODEGROUP_NAME_MAX}; a digest follows)")
    return value


ClusterName = Annotated[str, BeforeValidator(_text), AfterValidator(_cluster_name)]
NodegroupName = Annotated[str, BeforeValidator(_text), AfterValidator(_nodegroup_name)]


def _namespace(value: str) -> str:
    if not names.DNS_LABEL.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not a Kubernetes namespace name. Use lower-case letters, digits and '-', "
                         "at most 63, starting and ending with a letter or digit")
    if value.startswith(names.KUBERNETES_NAMESPACE_PREFIX):  # labelling kube-system for Pod Security would break the cluster's own pods
        raise ValueError(f"{value} belongs to Kubernetes itself. Use studioml (the default) or a namespace of your own")
    if value in add_on_namespaces():
        raise ValueError(f"{value} is where this project installs an add-on, and the stack would relabel it and delete it with "
                         "the stack. Use studioml (the default) or a namespace of your own")
    return value


Namespace = Annotated[str, BeforeValidator(_text), AfterValidator(_namespace)]


def _branch(value: str) -> str:
    problem = names.branch_name_problem(value)
    if problem:
        raise ValueError(f"{quoted(value)} is not a branch name: it {problem}. Give a branch such as main")
    return value


Branch = Annotated[str, BeforeValidator(_text), AfterValidator(_branch)]


def _repository(value: str) -> str:
    owner, slash, name = value.partition("/")
    if not slash or not names.REPOSITORY_OWNER.fullmatch(owner) or not names.REPOSITORY_NAME.fullmatch(name) or name in (".", ".."):
        raise ValueError(f"{quoted(value)} is not a repository. Write it as owner/name, like my-org/studio-gpu-cluster")
    return value


Repository = Annotated[str, BeforeValidator(_text), AfterValidator(_repository)]


# --- images and patterns --------------------------------------------------------------------------

def _pinned_image(value: str) -> str:
    problem = pin_problem(value)
    if problem:
        raise ValueError(f"{quoted(value)} {problem}. Pin a release, such as {DEFAULT_RUNNER_IMAGE}")
    return value


PinnedImage = Annotated[str, BeforeValidator(_text), AfterValidator(_pinned_image)]


def _go_regexp(value: str) -> str:
    try:
        compile_queue_match(value)
    except QueueMatchError as err:
        raise ValueError(f"{quoted(value)} {err}. Give one such as ^sqs_.*$") from None
    return value


GoRegexp = Annotated[str, BeforeValidator(_text), AfterValidator(_go_regexp)]

ReleaseTag = Annotated[str, BeforeValidator(_text), _pattern(re.compile(r"v[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}", re.ASCII),
                                                             "a release tag", "v0.20.0")]
