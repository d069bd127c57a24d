"""Housekeeping for folders matcher writes: shareable permissions, build locks, and the
cleaning of what a killed build left behind.

Temporary folders are named ``<prefix><host>-<pid>-<random>``, so a later build can tell a
dead writer's leftovers (same host, no such process) from a build still running elsewhere;
leftovers whose writer cannot be checked (another host, an older name) count as stale
after a day.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

STALE_AFTER_S = 24 * 3600
_TAGGED = re.compile(r"-(?P<host>[A-Za-z0-9.]+)-(?P<pid>\d+)-[^-]+$")


def current_umask() -> int:
    """The process umask, read without changing it where Linux allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the classic set-and-restore
    os.umask(mask)
    return mask


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.]", "", socket.gethostname()) or "host"


def owner_tag() -> str:
    """``<host>-<pid>``: embedded in temporary names so leftovers can be traced to a writer."""
    return f"{_host()}-{os.getpid()}"


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new folder in ``parent`` with the permissions of an ordinary mkdir. mkdtemp makes
    0700, and a folder renamed into place keeps it, which locks other users out of shared
    indexes (a Ray cluster's workers, a team's index)."""
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f"{prefix}{owner_tag()}-"))
    os.chmod(work, 0o777 & ~current_umask())
    return work


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def is_stale(path: Path, now: float | None = None) -> bool:
    """Whether a temporary folder was left by a writer that is gone."""
    found = _TAGGED.search(path.name)
    if found and found["host"] == _host():
        pid = int(found["pid"])
        return pid != os.getpid() and not _alive(pid)
    try:
        age = (now or time.time()) - path.lstat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER_S


def remove_tree(path: Path) -> int:
    """Delete a file or folder; returns the bytes freed (0 if it was already gone)."""
    size = tree_size(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return size


def tree_size(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def stale_temporaries(parent: Path, patterns: tuple[str, ...]) -> list[Path]:
    if not parent.is_dir():
        return []
    return sorted({p for pattern in patterns for p in parent.glob(pattern) if is_stale(p)})


def clean_stale(parent: Path, patterns: tuple[str, ...]) -> int:
    """Remove the stale temporaries matching ``patterns`` in ``parent``; bytes freed."""
    return sum(remove_tree(p) for p in stale_temporaries(parent, patterns))


@contextmanager
def build_lock(target: Path, say: Callable[[str], None] = lambda _m: None) -> Iterator[None]:
    """Hold an exclusive lock for building ``target``: concurrent builders of the same folder
    wait here, then find it built. The lock is the kernel's (flock), so it is released when
    its holder exits, even on SIGKILL."""
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(target.with_name(f".{target.name}.lock")))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say(f"waiting for another matcher process to finish building {target}")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()
