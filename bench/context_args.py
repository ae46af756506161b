"""The `-c KEY=VALUE` arguments `make cost`, `make latency` and `make day` take, as `cdk -c` takes them; bad ones are one line."""
from __future__ import annotations

import argparse
from typing import NoReturn, Sequence


class BadArguments(ValueError):
    """Arguments the command cannot take; `line` is what the user sees."""

    @property
    def line(self) -> str:
        return f"error: {self.args[0]}"


class BadContext(BadArguments):
    """A `-c` item that is not KEY=VALUE."""

    @property
    def line(self) -> str:
        return f"error: -c {self.args[0]}: is not KEY=VALUE. Write it like -c nodes=2"


class _OneLineErrorParser(argparse.ArgumentParser):
    """argparse prints its usage over several lines before the error; these commands' errors are one line."""

    def error(self, message: str) -> NoReturn:
        raise BadArguments(f"{message}. See python {self.prog} --help")


def parser(description: str, *, prog: str) -> argparse.ArgumentParser:
    """An argument parser that takes `-c KEY=VALUE`, repeated; `prog` is the script's path, for the --help hint."""
    made = _OneLineErrorParser(prog=prog, description=description)
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


def parse(made: argparse.ArgumentParser, argv: Sequence[str] | None) -> tuple[argparse.Namespace, dict[str, str]]:
    """The arguments and the -c settings; BadArguments (its `line` says what is wrong) for either."""
    args = made.parse_args(argv)
    return args, context_of(args.context)
