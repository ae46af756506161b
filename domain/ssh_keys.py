"""OpenSSH public keys as EC2 imports them: parsed from their wire format (RFC 4253 section 6.6, RFC 8709), not matched.

A line is `<type> <base64 body> [comment]`; the body is a sequence of length-prefixed fields starting with the type again.
EC2 ImportKeyPair takes RSA (1024, 2048 or 4096 bits) and ED25519 keys; below 2048 bits RSA is refused here as too weak.
"""
from __future__ import annotations

import base64
import binascii

RSA_MIN_BITS = 2048
ED25519_KEY_BYTES = 32


def _fields(body: bytes) -> list[bytes]:
    fields, at = [], 0
    while at < len(body):
        if at + 4 > len(body):
            raise ValueError("a field's length is cut short")
        size = int.from_bytes(body[at:at + 4], "big")
        if at + 4 + size > len(body):
            raise ValueError("a field runs past the end of the key")
        fields.append(body[at + 4:at + 4 + size])
        at += 4 + size
    return fields


def key_problem(line: str) -> str | None:
    """Why `line` is not an RSA (2048 bits or more) or ED25519 OpenSSH public key EC2 can import; None if it is one."""
    parts = line.split(None, 2)
    if len(parts) < 2 or parts[0] not in ("ssh-rsa", "ssh-ed25519"):
        return "does not start with ssh-ed25519 or ssh-rsa and a key"
    kind, encoded = parts[0], parts[1]
    try:
        body = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return f"holds no readable {kind} key (its body is not base64)"
    try:
        fields = _fields(body)
    except ValueError as err:
        return f"holds no readable {kind} key ({err})"
    if not fields or fields[0] != kind.encode():
        return f"says {kind} but its key body is not one"
    if kind == "ssh-ed25519":
        return None if len(fields) == 2 and len(fields[1]) == ED25519_KEY_BYTES else "holds an ssh-ed25519 key of the wrong size"
    if len(fields) != 3:
        return "holds an ssh-rsa key without exactly an exponent and a modulus"
    bits = int.from_bytes(fields[2], "big").bit_length()
    if bits < RSA_MIN_BITS:
        return f"holds a {bits}-bit RSA key; use {RSA_MIN_BITS} bits or more, or ED25519"
    return None
