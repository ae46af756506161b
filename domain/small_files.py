"""Reading a small text file a setting points at: a regular file only, bounded, never blocking.

A path may name a FIFO (blocks forever on open), a device (`/dev/zero` never ends) or a huge file:
open without blocking, look at what it is, and read at most the cap.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 64 * 1024  # far above any SSH public key or AWS credentials/config file


class FileProblem(ValueError):
    """Why the file cannot be used; the message names the path and what to do. `kind` lets a caller give its own advice."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def read_small_text_file(path: Path, *, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's UTF-8 text; FileProblem when it is missing, not a regular file, too big, unreadable or not text."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileProblem("missing", f"{path} does not exist. Give the path of {what}") from None
    except IsADirectoryError:
        raise FileProblem("directory", f"{path} is a directory, not a file. Give the path of {what}") from None
    except PermissionError:
        raise FileProblem("permission", f"{path} cannot be read: permission denied. Make it readable by your user") from None
    except OSError as err:
        raise FileProblem("unreadable", f"{path} cannot be opened ({err.strerror}). Give the path of {what}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem("directory", f"{path} is a directory, not a file. Give the path of {what}")
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem("not-regular", f"{path} is not a regular file (a device, pipe or socket). Give the path of {what}")
        if info.st_size > max_bytes:
            raise FileProblem("too-big", f"{path} is {info.st_size} bytes, more than the {max_bytes} such a file can have. Give the path of {what}")
        data = os.read(fd, max_bytes + 1)
    except OSError as err:
        raise FileProblem("unreadable", f"{path} cannot be read ({err.strerror}). Give the path of {what}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileProblem("too-big", f"{path} grew past {max_bytes} bytes while being read. Give the path of {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileProblem("not-text", f"{path} is not UTF-8 text. Give the path of {what}") from None
