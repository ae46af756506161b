"""CIDR lists: who may reach the cluster's public endpoint, and who may reach the GPU nodes' SSH port.

Parsed with `ipaddress`, not matched: a netmask, a host address, a private range and a set of blocks whose union is
the whole internet are each refused with what to write instead.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from settings.types import Unique, comma_list, each, quoted

# EKS refuses private and reserved ranges in publicAccessCidrs ("Cluster API server endpoint", EKS User Guide).
NOT_PUBLIC = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
    "224.0.0.0/4", "240.0.0.0/4"))
PUBLIC_ACCESS_CIDRS_MAX = 40  # EKS service quota "Public endpoint access CIDR ranges per cluster" (not adjustable)


def _cidr(value: str) -> ipaddress.IPv4Network:
    if "/" not in value:
        if re.fullmatch(r"[0-9.]+", value):
            raise ValueError(f"{quoted(value)} has no prefix length. Write it like {value}/32")
        raise ValueError(f"{quoted(value)} is not an IPv4 CIDR block. Write it like 203.0.113.0/24")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}", value, re.ASCII):  # a netmask is not a prefix length
        raise ValueError(f"{quoted(value)} is not an IPv4 CIDR block with a prefix length. Write it like 203.0.113.0/24")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise ValueError(f"{quoted(value)} is not an IPv4 CIDR block. Write it like 203.0.113.0/24") from None


def _public_cidr(value: str) -> None:
    network = _cidr(value)
    if network.prefixlen > 0 and any(network.overlaps(reserved) for reserved in NOT_PUBLIC):
        raise ValueError(f"{value} is a private or reserved range, which EKS refuses for its public endpoint. "
                         "List the public addresses you connect from")


def _some_public_cidrs(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("is empty, which EKS reads as open to everyone. List who may reach the endpoint, like 203.0.113.0/24 "
                         "(0.0.0.0/0 if you mean everyone)")
    if len(values) > PUBLIC_ACCESS_CIDRS_MAX:
        raise ValueError(f"lists {len(values)} CIDRs; EKS allows at most {PUBLIC_ACCESS_CIDRS_MAX}. Merge them into wider blocks")
    return values


def _ssh_cidr(value: str) -> None:
    if _cidr(value).prefixlen == 0:
        raise ValueError(f"{value} opens SSH to the whole internet. List the addresses you connect from, like 203.0.113.0/24")


def _not_everyone_together(values: list[str]) -> list[str]:
    """Blocks that together cover every address (0.0.0.0/1 and 128.0.0.0/1) open SSH as wide as 0.0.0.0/0 does."""
    if [str(n) for n in ipaddress.collapse_addresses(_cidr(v) for v in values)] == ["0.0.0.0/0"]:
        raise ValueError(f"{', '.join(values)[:60]} together cover every address: that opens SSH to the whole internet. "
                         "List the addresses you connect from, like 203.0.113.0/24")
    return values


PublicCidrs = Annotated[list[str], BeforeValidator(comma_list), each(_public_cidr), Unique, AfterValidator(_some_public_cidrs)]
SshCidrs = Annotated[list[str], BeforeValidator(comma_list), each(_ssh_cidr), Unique, AfterValidator(_not_everyone_together)]
