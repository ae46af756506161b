"""The `-c KEY=VALUE` arguments `make cost`, `make latency` and `make day` take, as `cdk -c` takes them."""
from __future__ import annotations

import argparse
from typing import Sequence


class BadContext(ValueError):
    """A `-c` item that is not KEY=VALUE; `line` is what the user sees."""

    @property
    def line(self) -> str:
        return f"error: -c {self.args[0]}: is not KEY=VALUE. Write it like -c nodes=2"


def parser(description: str) -> argparse.ArgumentParser:
    """An argument parser that takes `-c KEY=VALUE`, repeated."""
    made = argparse.ArgumentParser(description=description)
    made.add_argument("-c", dest="context", action="append", default=[], metavar="KEY=VALUE",
                      help="a setting, as with cdk -c (repeat for more)")
    return made


def context_of(items: Sequence[str]) -> dict[str, str]:
    """The settings given with -c; BadContext for an item without a key or an `=`."""
    context: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise BadContext(item)
        context[key.strip()] = value
    return context
