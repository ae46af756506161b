"""The runner's QUEUE_MATCH: a Go regular expression (RE2 syntax), checked and matched with RE2 itself.

The runner compiles it with Go's `regexp` package (studio-go-runner 0.14.2, cmd/runner/main.go `regexp.Compile`)
and matches queue names with `MatchString` (an unanchored search). RE2 refuses what Go refuses (lookarounds,
backreferences) and matches in linear time, so no pattern can hang the synth. What this RE2 takes and the runner's
Go does not is refused too: the runner is built with Go 1.16.5 (Dockerfile_standalone at 0.14.2; go.mod `go 1.16`),
- `\\C` (any byte), which Go's regexp never took;
- `(?<name>...)`, which Go takes from 1.22 on (release notes, regexp/syntax); 1.16 knows only `(?P<name>...)`;
- scripts Unicode added after 13.0.0, the version of Go 1.16's unicode tables (Go 1.16 release notes).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason goes into our one-line message, not onto stderr
MAX_LENGTH = 1000
# Scripts of Unicode 14.0 to 16.0 (their "New scripts" lists), which \\p{...} in Go 1.16 does not know.
NEWER_SCRIPTS = frozenset({"Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi", "Kawi", "Nag_Mundari", "Garay",
                           "Gurung_Khema", "Kirat_Rai", "Ol_Onal", "Sunuwar", "Todhri", "Tulu_Tigalari"})


class QueueMatchError(ValueError):
    """Not a Go regular expression; the message says why."""


@lru_cache(maxsize=64)
def compile_queue_match(pattern: str) -> Any:  # an re2 pattern (google-re2 ships no types)
    if len(pattern) > MAX_LENGTH:
        raise QueueMatchError(f"is longer than {MAX_LENGTH} characters")
    unescaped = pattern.replace("\\\\", "")
    if "\\C" in unescaped:
        raise QueueMatchError("uses \\C, which Go's regexp refuses")
    if re.search(r"(?<!\\)\(\?<[A-Za-z_]", unescaped):
        raise QueueMatchError("names a group (?<name>...), which the runner's Go (1.16) refuses. Write (?P<name>...)")
    newer = sorted(NEWER_SCRIPTS & set(re.findall(r"\\[pP]\{\^?([A-Za-z_]+)\}", unescaped)))
    if newer:
        raise QueueMatchError(f"uses script {newer[0]}, newer than the Unicode 13.0 of the runner's Go (1.16), which refuses it")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as err:
        reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        raise QueueMatchError(f"is not an RE2 regular expression, as the runner's Go regexp needs ({reason})") from None


def queue_matches(pattern: str, queue_name: str) -> bool:
    """What the runner does: does the pattern match anywhere in the name?"""
    return compile_queue_match(pattern).search(queue_name) is not None


def _has_top_level_alternation(pattern: str) -> bool:
    depth, escaped, in_class = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


def literal_prefix(pattern: str) -> str:
    """What every queue name the pattern matches starts with: its anchored literal start (`^sqs_.*$` -> `sqs_`), less a
    last character a quantifier makes optional (`^sqs_?x` -> `sqs`), and nothing when a top-level `|` offers another
    start (`^sqs_a|^rmq_` -> ``) or the pattern is not anchored."""
    match = re.match(r"\^([A-Za-z0-9_-]*)", pattern)
    if match is None or _has_top_level_alternation(pattern):
        return ""
    prefix, rest = match.group(1), pattern[match.end():]
    if prefix and rest[:1] in ("?", "*", "{"):
        prefix = prefix[:-1]
    return prefix
