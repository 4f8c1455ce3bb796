"""What outlives a worker process, in the instance folder, never an IP address or a user agent.

When a process's exit write fails, its counters and drop counts go to a spool file (tallies-spool/,
mode 0600, written whole or not at all; the visitors, which cannot be hashed without the database,
are counted as dropped, "visitors-unwritten"), and the next successful write of any process claims
it by renaming it (so no two merge one), writes it in its transaction and deletes it after the
commit (a process killed between the two would leave it to be written again: the one window where
a count can be doubled). While its writer runs, each process keeps a marker (tallies-open/, mode
0600) saying how many requests it holds unwritten: a count in a file mapped into memory, kept exact
at every request noted and every write for the cost of a memory write, and the kernel's, not the
process's, to keep when the process dies. It is removed at a clean exit: a marker left by a process
that is gone (SIGKILL, out of memory) is counted by the next write as dropped, "killed" (the
requests it had taken and not written) and "killed-processes" (one per such process). Both are
kept per database (a key made from its URL, `name`), so a database never takes another's counts.
"""

import contextlib
import json
import logging
import mmap
import os
import secrets
import struct
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

SPOOL_FOLDER = "tallies-spool"  # in the instance folder: counts of processes whose exit write failed
OPEN_FOLDER = "tallies-open"  # in the instance folder: one marker per process whose writer is running
MAX_SPOOL_FILES = 1000  # past this many waiting, a stopping process's counts are lost (and logged)
_CLAIMED = ".claimed-"  # a spool file or marker being written by the process whose pid follows
_own_markers: set[str] = set()  # the markers of this process's recorders (a process may have several)
# A marker's bytes: these four, the reason (its place in REASONS), the requests held unwritten, the pid.
MARKER = struct.Struct("<4sIqq")
MAGIC = b"GTM1"
REASONS = ("killed", "unwritten")


def write_private(path: Path, text: str, sync: bool = False) -> None:
    """Write a file only its owner may read, atomically: a reader finds the old file or the whole new one."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process, alive
        return True
    except (OverflowError, ValueError):
        return False
    return True


Claimed = list[tuple[Path, Path]]  # (the file renamed as this process's, its name before)


def _left_over(folder: str, entry: str) -> bool:
    """Whether a file in the spool or the markers folder is for this process to claim: nobody is
    writing it, and a marker's process is gone (a marker with this process's pid that none of its
    recorders holds was left by an earlier process of the same pid)."""
    claimer = entry.partition(_CLAIMED)[2]
    if claimer:  # being written by another process, or left by one that died doing it
        return claimer.isdigit() and not alive(int(claimer))
    if folder == SPOOL_FOLDER:
        return entry.endswith(".json")
    pid = entry.split("-")[1]
    return entry not in _own_markers and pid.isdigit() and (int(pid) == os.getpid() or not alive(int(pid)))


def _take(folder: Path, entry: str) -> Claimed:
    """Claim one file by renaming it as this process's; nothing when another process claimed it first."""
    original = entry.partition(_CLAIMED)[0]
    target = folder / f"{original}{_CLAIMED}{os.getpid()}"
    try:
        os.rename(folder / entry, target)
    except OSError:  # another process claimed it first
        return []
    return [(target, folder / original)]


class Leftovers:
    """The spool and the marker of one recorder, in `state_dir` (None: neither)."""

    def __init__(self, state_dir: Path | None, name: Callable[[], str], logger: logging.Logger):
        self.state_dir, self._name, self.logger = state_dir, name, logger
        self._marker: Path | None = None  # this process's marker, once written
        self._map: mmap.mmap | None = None  # its bytes, mapped
        self._marked: tuple[int, str] | None = None  # what it says
        self._marker_failed = False
        self._lock = threading.Lock()  # the writer thread and a flush() or the exit may mark at once

    def _folder(self, name: str) -> Path | None:
        """state_dir/name, made if need be; None without a state_dir, or when it is gone (never made anew)."""
        if self.state_dir is None or not self.state_dir.is_dir():
            return None
        folder = self.state_dir / name
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def mark(self, waiting: int, reason: str = "killed") -> None:
        """Say in this process's marker how many requests it holds unwritten (a count, nothing else):
        the file is made on first use, then only its mapped bytes change."""
        if self.state_dir is None or self._marked == (waiting, reason):
            return
        with self._lock:
            try:
                own = f"{self._name()}-{os.getpid()}-"
                if self._marker is None or not self._marker.name.startswith(own):  # the first, or a forked child's
                    folder = self._folder(OPEN_FOLDER)
                    if folder is None:
                        return
                    marker = folder / f"{own}{secrets.token_hex(4)}"
                    write_private(marker, "\0" * MARKER.size)
                    with open(marker, "r+b") as file:
                        self._map = mmap.mmap(file.fileno(), MARKER.size)
                    self._marker = marker
                    _own_markers.add(marker.name)
                MARKER.pack_into(self._map, 0, MAGIC, REASONS.index(reason), waiting, os.getpid())
                self._marked = (waiting, reason)
            except Exception as error:
                if not self._marker_failed:
                    self.logger.warning(
                        "tallies: could not write this process's marker in %s: %s", self.state_dir, error
                    )
                    self._marker_failed = True

    def unmark(self) -> None:
        with self._lock:
            if self._marker is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self._marker)
                with contextlib.suppress(Exception):
                    self._map.close()
                _own_markers.discard(self._marker.name)
                self._marker, self._marked, self._map = None, None, None

    def spool(self, counts: Counter, drops: Counter, requests: int) -> bool:
        """At exit: put what could not be written in a spool file (counters and drop counts only).
        False, logged, when it cannot be kept."""
        try:
            folder = self._folder(SPOOL_FOLDER)
            if folder is None:
                raise FileNotFoundError(
                    f"the instance folder {self.state_dir} is gone"
                    if self.state_dir
                    else "no instance folder to keep them"
                )
            if sum(1 for name in os.listdir(folder) if name.endswith(".json")) >= MAX_SPOOL_FILES:
                raise OSError(f"{folder} already holds {MAX_SPOOL_FILES} spool files")
            spool = {
                "counts": [[key[0].isoformat(), *key[1:], n] for key, n in sorted(counts.items()) if n > 0],
                "dropped": dict(drops),
            }
            path = folder / f"{self._name()}-{os.getpid()}-{secrets.token_hex(4)}.json"
            write_private(path, json.dumps(spool, ensure_ascii=False), sync=True)
        except Exception as error:
            self.logger.error(
                "tallies: lost the counts of %d request(s): not written, and no spool file: %s", requests, error
            )
            return False
        self.logger.warning(
            "tallies: the counts of %d request(s) are in %s, for the next process to write", requests, path
        )
        return True

    def claim(self) -> Claimed:
        """Spool files and markers of processes that are gone, for this database, each renamed to
        say this process writes it (a rename that only one process can make)."""
        claimed = []
        if self.state_dir is None:
            return claimed
        prefix = f"{self._name()}-"
        for name in (SPOOL_FOLDER, OPEN_FOLDER):
            folder = self.state_dir / name
            try:
                entries = os.listdir(folder)
            except OSError:
                continue
            for entry in entries:
                # Not another database's, nor a file being written (".…"), nor one that could not be read.
                if entry.startswith(prefix) and not entry.endswith(".unreadable") and _left_over(name, entry):
                    claimed += _take(folder, entry)
        return claimed

    def unclaim(self, claimed: Claimed) -> None:
        """The write they were claimed for failed: leave them for a later write to claim again."""
        for path, original in claimed:
            with contextlib.suppress(OSError):
                os.rename(path, original)

    def written(self, claimed: Claimed) -> None:
        """The write they were claimed for is committed."""
        for path, _ in claimed:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def read(self, claimed: Claimed) -> tuple[Counter, Counter]:
        """What the claimed files hold: (counters, drop counts by reason)."""
        counts, drops = Counter(), Counter()
        for path, original in claimed:
            try:
                if original.parent.name == SPOOL_FOLDER:
                    found = json.loads(path.read_text("utf-8"))
                    these = Counter()
                    for day, commune, kind, subject, source, locale, n in found["counts"]:
                        key = (date.fromisoformat(day), commune, kind, subject, source, locale)
                        if not all(isinstance(part, str) for part in key[1:]) or type(n) is not int or n < 0:
                            raise ValueError(f"not a counter: {key} {n!r}")
                        these[key] += n
                    dropped = Counter(found["dropped"])
                else:
                    (reason, waiting), these = _marker_says(path.read_bytes()), Counter()
                    dropped = Counter({reason: waiting})
                    if reason == "killed":  # the requests it had taken and not written
                        dropped["killed-processes"] += 1
                if not all(isinstance(reason, str) and type(n) is int and n >= 0 for reason, n in dropped.items()):
                    raise ValueError(f"not drop counts: {dict(dropped)}")
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
                self.logger.error("tallies: %s cannot be read, left as %s.unreadable: %s", original, original, error)
                with contextlib.suppress(OSError):
                    os.rename(path, original.with_name(original.name + ".unreadable"))
                continue
            counts.update(these)
            drops.update(dropped)
        return counts, drops


def _marker_says(data: bytes) -> tuple[str, int]:
    """(reason, requests waiting) from a marker's bytes; also from the JSON of the markers before them."""
    if data == bytes(MARKER.size):  # made, and the process gone before it said anything
        return "killed", 0
    if data.startswith(MAGIC):
        _magic, reason, waiting, _pid = MARKER.unpack_from(data + bytes(MARKER.size))
        if reason >= len(REASONS) or waiting < 0:
            raise ValueError(f"not a marker: {data!r}")
        return REASONS[reason], waiting
    found = json.loads(data.decode("utf-8"))
    return found.get("reason", "killed"), found["waiting"]
