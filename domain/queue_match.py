"""The runner's QUEUE_MATCH: a Go regular expression (RE2 syntax), checked and matched with RE2 itself.

The runner compiles it with Go's `regexp` package and matches queue names with `MatchString`
(an unanchored search). RE2 refuses what Go refuses (lookarounds, backreferences) and matches in
linear time, so no pattern can hang the synth. Go also refuses `\\C`, which RE2 alone accepts.
"""
from __future__ import annotations

from functools import lru_cache

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason goes into our one-line message, not onto stderr
MAX_LENGTH = 1000


class QueueMatchError(ValueError):
    """Not a Go regular expression; the message says why."""


@lru_cache(maxsize=64)
def compile_queue_match(pattern: str):
    if len(pattern) > MAX_LENGTH:
        raise QueueMatchError(f"is longer than {MAX_LENGTH} characters")
    if "\\C" in pattern.replace("\\\\", ""):
        raise QueueMatchError("uses \\C, which Go's regexp refuses")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as err:
        reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        raise QueueMatchError(f"is not an RE2 regular expression, as the runner's Go regexp needs ({reason})") from None


def queue_matches(pattern: str, queue_name: str) -> bool:
    """What the runner does: does the pattern match anywhere in the name?"""
    return compile_queue_match(pattern).search(queue_name) is not None
