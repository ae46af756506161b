#!/usr/bin/env python3
"""make lint: the aws_cdk root module mypy reads, written into the folder pyproject.toml's `mypy_path` names.

It is the installed aws_cdk/__init__.py without one block: jsii's `if typing.TYPE_CHECKING:` list that imports every
submodule of aws-cdk-lib (352 in 2.275.0) for type checkers only, where Python imports them lazily. Each submodule
imports the root, so that list had mypy read all of aws-cdk-lib (679 modules, about 46 s and 3.4 GB on a cold cache);
without it mypy reads the submodules our imports reach and what they import (370 modules, 15 s, 1 GB). Every type is
the installed one and is checked as before. Exit 2, writing nothing, when the installed module no longer has that block as expected.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

# The block: the guard line, then only `pass` and `from . import <submodule> as <submodule>` lines, up to a blank line.
_BLOCK = re.compile(r"^if typing\.TYPE_CHECKING:\n(?:    pass\n)?((?:    from \. import (\w+) as \2\n)+)(?=\n)", re.MULTILINE)


def without_submodule_list(source: str) -> tuple[str, int]:
    """The module's source with the list removed, and how many submodules it listed; ValueError unless there is one."""
    blocks = list(_BLOCK.finditer(source))
    if len(blocks) != 1:
        raise ValueError(f"expected one TYPE_CHECKING block of submodule imports, found {len(blocks)}")
    block = blocks[0]
    return source[:block.start()] + source[block.end():], block.group(1).count("\n")


def main(target: str) -> int:
    spec = importlib.util.find_spec("aws_cdk")  # where it is, without importing it (which starts jsii)
    assert spec is not None and spec.origin is not None, "aws-cdk-lib is not installed"
    installed = Path(spec.origin)
    try:
        source, listed = without_submodule_list(installed.read_text())
    except ValueError as err:
        print(f"error: {installed}: {err}; update scripts/mypy_aws_cdk.py for this aws-cdk-lib", file=sys.stderr)
        return 2
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Written by scripts/mypy_aws_cdk.py from {installed}, without its {listed} type-checking-only submodule "
                    f"imports.\n{source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
