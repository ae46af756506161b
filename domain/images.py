"""Container image references: the OCI distribution reference grammar, and what "pinned" means here.

The grammar is the one of github.com/distribution/reference (reference.go, regexp.go; the same
rules the container runtimes apply):

    reference  := name [ ":" tag ] [ "@" digest ]
    name       := [domain "/"] path-component ["/" path-component]*
    domain     := host [":" port]; host is a domain name or an IPv4 address or a bracketed IPv6 address
    path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | "__" | "-"+
    tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest     := algorithm ":" hex, algorithm := [A-Za-z][A-Za-z0-9]* ([+._-] [A-Za-z][A-Za-z0-9]*)*
    the name is at most 255 characters; a sha256 digest is 64 lower-case hex digits.
"""
from __future__ import annotations

import re

_DOMAIN_COMPONENT = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9A-Fa-f:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"(?P<name>{_NAME})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?", re.ASCII)
NAME_MAX = 255

# The last studio-go-runner release (git tags 0.14.0-0.14.2; 0.14.3 exists only as 0.14.3-main-...
# pre-release tags, and no plain 0.14.3 image was built); pinned, never `latest`.
DEFAULT_RUNNER_IMAGE = "quay.io/leafai/studio-go-runner:0.14.2"
# The upstream image holds only x86_64 binaries (cmd/runner/Dockerfile.stock at 0.14.2: an amd64 CUDA
# base, /runner/runner-linux-amd64 and -amd64-cpu), so it cannot start on an arm64 node.
UPSTREAM_RUNNER_REPOSITORY = "quay.io/leafai/studio-go-runner"

# A private ECR registry, <account>.dkr.ecr.<region>.amazonaws.com[.cn], and an image in it: <registry>/<name>.
# ECR repository names (CreateRepository, repositoryName): 2 to 256 characters, path components of [a-z0-9] joined by
# single '.', '_' or '-' (stricter than the OCI grammar, which also takes '__' and runs of '-').
ECR_REPOSITORY = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*", re.ASCII)
ECR_REPOSITORY_MAX = 256
PORT_MAX = 65535
_PRIVATE_ECR_REGISTRY = r"(?P<account>[0-9]{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
PRIVATE_ECR_REGISTRY = re.compile(_PRIVATE_ECR_REGISTRY, re.ASCII)
PRIVATE_ECR_IMAGE = re.compile(rf"(?P<registry>{_PRIVATE_ECR_REGISTRY})/.+", re.ASCII)


def repository_of(image: str) -> str:
    """The image reference without its tag or digest."""
    match = REFERENCE.fullmatch(image)
    return match.group("name") if match else image


def pin_problem(image: str) -> str | None:
    """Why `image` is not a well-formed reference pinned to a release tag or a digest, or None."""
    match = REFERENCE.fullmatch(image)
    if match is None:
        return ("is not an image reference: lower-case repository path, then :tag or @sha256:<64 hex digits>, "
                "no spaces or shell characters")
    if len(match.group("name")) > NAME_MAX:
        return f"has a repository name longer than {NAME_MAX} characters"
    first = match.group("name").split("/")[0]
    port = re.fullmatch(r".*:([0-9]+)", first) if "/" in match.group("name") else None
    if port is not None and int(port.group(1)) > PORT_MAX:
        return f"names port {port.group(1)} of its registry, above {PORT_MAX}"
    ecr = PRIVATE_ECR_IMAGE.fullmatch(repository_of(image))
    if ecr is not None:
        repository = repository_of(image)[len(ecr.group("registry")) + 1:]
        if not ECR_REPOSITORY.fullmatch(repository) or not 2 <= len(repository) <= ECR_REPOSITORY_MAX:
            return (f"names ECR repository {repository[:60]!r}, which ECR refuses: 2 to {ECR_REPOSITORY_MAX} lower-case letters "
                    "and digits in /-separated parts, joined by single '.', '_' or '-'")
    digest, tag = match.group("digest"), match.group("tag")
    if digest is not None:
        algorithm, _, hex_digits = digest.partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hex_digits):
            return "has a digest that is not sha256 with 64 lower-case hex digits"
        return None
    if tag is None:
        return "has no tag"
    if tag == "latest":
        return "is not pinned: latest changes under a running cluster"
    return None
