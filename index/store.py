"""Where an index lives: generations in one folder and a CURRENT pointer switched atomically.

Layout of an index folder::

    CURRENT            name of the generation that serves (replaced atomically)
    gen-<stamp>/       a complete Whoosh index (stored fields), its search arrays in arrays/
                       (chaja.index.arrays) and chaja.json (how it was built)
    .build-<stamp>/    a generation being written; never opened by readers

A rebuild writes a new generation and only then replaces CURRENT, so readers see either the
old index or the new one, never a half-written one. Each generation's chaja.json names the one
it replaced ("previous"); pruning always keeps the serving generation and that one, because open
searchers may still read it.

For crash tests only: with ``CHAJA_TEST_PAUSE_AT=<stage>`` and ``CHAJA_TEST_PAUSE_SECONDS=<s>``
in the environment, ``publish`` prints ``chaja: paused at <stage>`` to stderr and sleeps at that
stage, so a test can ``kill -9`` the process in exactly that window. The stages are "publish"
(the Whoosh index is complete in the build folder, nothing published yet) and "switch" (the build
folder is already renamed to gen-*, CURRENT not yet replaced).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from . import arrays
from .schema import SPANS

DEFAULT_INDEX = "chaja-index"
META = "chaja.json"
KEEP_GENERATIONS = 2  # the serving one and its predecessor, which open searchers may still read


class IndexUnavailable(RuntimeError):
    """The index cannot be opened or written; the message says why and how to fix it."""


def index_dir(path: str | os.PathLike | None = None) -> Path:
    """Return the index folder: the argument, else $CHAJA_INDEX, else ./chaja-index."""
    return Path(path or os.environ.get("CHAJA_INDEX") or DEFAULT_INDEX)


@dataclass(frozen=True)
class Generation:
    """One complete index generation."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def meta(self) -> dict:
        """Return how this generation was built (chaja.json)."""
        try:
            return json.loads((self.path / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def open(self):
        """Open the Whoosh index of this generation; IndexUnavailable if an older chaja wrote it."""
        ix = whoosh_index.open_dir(str(self.path))
        if SPANS not in ix.schema.names():
            ix.close()
            raise IndexUnavailable(f"the index in {self.path.parent} was built by an older chaja, without the term "
                                   "spans that marks are made from; rebuild it with `chaja index rebuild`")
        try:
            arrays.read_manifest(self.path / arrays.FOLDER)
        except arrays.ArraysMissing as e:
            ix.close()
            raise IndexUnavailable(f"the index in {self.path.parent} was built by an older chaja, without the search "
                                   f"arrays of format {arrays.FORMAT} ({e}); rebuild it with `chaja index rebuild`") from None
        return ix


def current(root: Path) -> Generation | None:
    """Return the generation CURRENT names, or None if there is no index yet."""
    try:
        name = (root / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IndexUnavailable(f"cannot read {root / 'CURRENT'}: {e.strerror}") from e
    gen = root / name
    if not name or "/" in name or not (gen / META).exists():
        raise IndexUnavailable(f"{root / 'CURRENT'} names a missing generation {name!r}; run `chaja index rebuild`")
    return Generation(gen)


def require(root: Path) -> Generation:
    """Return the current generation, or raise a clear error if none was built."""
    gen = current(root)
    if gen is None:
        raise IndexUnavailable(f"no index at {root}; build one with `chaja index rebuild` (or pass --index DIR)")
    return gen


def new_build_dir(root: Path) -> Path:
    """Create and return a fresh folder to build a generation in."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        now = time.time_ns()  # one reading for the seconds and the fraction, so names sort in build order
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 1_000_000_000)) + f"-{now % 1_000_000_000:09d}"
        path = root / f".build-{stamp}"
        path.mkdir()
        (path / "PID").write_text(str(os.getpid()))
    except OSError as e:
        raise IndexUnavailable(f"cannot write the index folder {root}: {e.strerror}") from e
    return path


def publish(root: Path, build: Path, meta: dict, *, writer_locked: bool = False) -> Generation:
    """Turn a finished build folder into the serving generation, atomically.

    Pass ``writer_locked=True`` when holding the index's writer lock (chaja.index.lock): pruning then
    knows every other build folder was left by a dead process.
    """
    _test_pause("publish")
    serving = _readable_current(root)
    meta = {**meta, "previous": serving.name if serving else None}
    (build / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    _fsync_dir(build)
    gen = root / ("gen-" + build.name.removeprefix(".build-"))
    os.rename(build, gen)
    _test_pause("switch")
    tmp = root / f".CURRENT.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(gen.name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / "CURRENT")
    _fsync_dir(root)
    prune(root, writer_locked=writer_locked)
    return Generation(gen)


def prune(root: Path, *, writer_locked: bool = False) -> None:
    """Remove generations other than the serving one and its predecessor, and builds left by dead runs.

    A generation published by a run killed before it switched CURRENT is removed too. With
    ``writer_locked`` the caller holds the writer lock, so every build folder is a dead run's.
    """
    serving = _readable_current(root)
    gens = sorted(p for p in root.glob("gen-*") if p.is_dir())
    if serving is None:
        keep = set(gens[-KEEP_GENERATIONS:])
    elif "previous" in (meta := serving.meta()):
        keep = {serving.path} | ({root / meta["previous"]} if meta["previous"] else set())
    else:  # built before generations named their predecessor: keep the newest ones
        keep = set(gens[-KEEP_GENERATIONS:]) | {serving.path}
    for p in gens:
        if p not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".build-*"):
        if writer_locked or not _build_is_live(p):
            shutil.rmtree(p, ignore_errors=True)
    for p in root.glob(".CURRENT.*"):
        p.unlink(missing_ok=True)


def _readable_current(root: Path) -> Generation | None:
    """Return the serving generation, or None when CURRENT is missing or names no generation (a rebuild repairs it)."""
    try:
        return current(root)
    except IndexUnavailable:
        return None


def discard(build: Path) -> None:
    """Remove a build folder that will not be published."""
    shutil.rmtree(build, ignore_errors=True)


def _build_is_live(path: Path) -> bool:
    """Tell whether a build folder belongs to a running process (it records its pid)."""
    try:
        pid = int((path / "PID").read_text())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _test_pause(stage: str) -> None:
    if os.environ.get("CHAJA_TEST_PAUSE_AT") == stage:
        print(f"chaja: paused at {stage}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("CHAJA_TEST_PAUSE_SECONDS", "60")))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
