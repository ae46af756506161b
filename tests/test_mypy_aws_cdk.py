"""make lint's copy of aws-cdk-lib's root module for mypy: the installed module less its type-checking-only submodule list."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from scripts.mypy_aws_cdk import main, without_submodule_list

INSTALLED = Path(str(importlib.util.find_spec("aws_cdk").origin))


def test_only_the_submodule_imports_go():
    source = INSTALLED.read_text()
    kept, listed = without_submodule_list(source)
    original, left = source.splitlines(), kept.splitlines()
    start = next(i for i, (a, b) in enumerate(zip(original, left, strict=False)) if a != b)
    removed = original[start:start + len(original) - len(left)]
    assert original[:start] + original[start + len(removed):] == left  # one run of lines out, everything else as installed
    assert removed[:2] == ["if typing.TYPE_CHECKING:", "    pass"]
    assert all(re.fullmatch(r"    from \. import (\w+) as \1", line) for line in removed[2:])
    assert listed == len(removed) - 2 > 300


def test_the_copy_says_where_it_comes_from(tmp_path):
    target = tmp_path / "mypy-path" / "aws_cdk" / "__init__.py"
    assert main(str(target)) == 0
    first, rest = target.read_text().split("\n", 1)
    assert first.startswith(f"# Written by scripts/mypy_aws_cdk.py from {INSTALLED}, without its ")
    assert rest == without_submodule_list(INSTALLED.read_text())[0]


@pytest.mark.parametrize("source", [
    "import typing\n",
    "if typing.TYPE_CHECKING:\n    from . import aws_s3 as aws_s3\n    import os\n\n",  # something else in the block: not ours to drop
])
def test_a_module_without_that_block_is_refused(source):
    with pytest.raises(ValueError, match="expected one TYPE_CHECKING block of submodule imports, found 0"):
        without_submodule_list(source)
