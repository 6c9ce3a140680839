"""One writer per index folder: an OS file lock that the kernel releases when its holder dies.

Rebuilds and updates hold ``<index>/LOCK`` (``fcntl.flock``) while they write. The file also
records who holds it (pid, command, since when) so a second writer can say whom it waited for.
Because the kernel drops the lock with the process, a ``kill -9`` never leaves a stale lock;
the text left in the file is only ever read while someone holds the lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .store import IndexUnavailable

LOCK = "LOCK"
DEFAULT_WAIT = 30.0  # seconds a second writer waits before giving up
_POLL = 0.1


class IndexBusy(IndexUnavailable):
    """Another process is writing the index and did not finish in time."""


def _holder(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return json.loads(os.read(fd, 64 * 1024).decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def _describe(holder: dict) -> str:
    if not holder.get("pid"):
        return "another process"
    return f"pid {holder['pid']} (`{holder.get('command', '?')}`, since {holder.get('since', '?')})"


def _still_linked(fd: int, path: Path) -> bool:
    """Tell whether the open lock file is still the one at path."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def remove_unused(root: Path, folder: bool = False) -> None:
    """Remove the lock file, and with ``folder`` the index folder if it is empty; call while holding the lock.

    For a first build that failed: it leaves things as it found them, not a LOCK that looks like an index.
    """
    (root / LOCK).unlink(missing_ok=True)
    if folder:
        try:
            root.rmdir()
        except OSError:
            pass  # something else was put there meanwhile: it stays


@contextmanager
def hold(root: Path, wait: float = DEFAULT_WAIT, command: str | None = None) -> Iterator[None]:
    """Hold the index's writer lock, waiting up to ``wait`` seconds; raise IndexBusy if it stays taken."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise IndexUnavailable(f"cannot write the index folder {root}: {e.strerror}; "
                               "check the path and that you may write there") from e
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _still_linked(fd, root / LOCK):
                    break
                # the holder removed the file (remove_unused) before letting go: lock the one there now
                os.close(fd)
                root.mkdir(parents=True, exist_ok=True)
                fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
                continue
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"the index {root} is being written by {_describe(_holder(fd))}; gave up after "
                        f"{wait:g} s — wait for it to finish (or pass a longer --wait)") from None
                time.sleep(_POLL)
        record = {"pid": os.getpid(), "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                  "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0)
        except OSError:
            pass  # on a full disk the lock still holds; only the name in a waiter's message is lost
        try:
            yield
        finally:
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass  # harmless: the next holder rewrites the record before anyone can find the lock taken by it
    finally:
        os.close(fd)  # closing the last descriptor releases the flock
