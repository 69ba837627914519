"""Atomic file writes: temp file in the same folder, then rename.

Every file the tool writes goes through here (inventories, findings, every report, evidence packs, the demo's
keys), so an interrupted or failed run never leaves a truncated file and never destroys what was there before.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scanner.errors import MlpsError

LOCK_NAME = ".mlps.lock"
_HELD: set[str] = set()  # folders this process already holds (a scan holds its folder while reports write)


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on an output folder; a second run writing into it refuses at once.

    The lock file is opened without following symlinks, so a planted link cannot make the tool touch a
    file outside the folder.
    """
    key = str(Path(folder).resolve())
    if key in _HELD:
        yield
        return
    path = Path(folder) / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise MlpsError(f"{path}: is a symbolic link; refusing to write into {folder}") from None
        raise MlpsError(f"{folder}: cannot lock the output folder ({e.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MlpsError(
                f"{folder}: another mlps run is writing into this folder", "wait for it, or choose another --out"
            ) from None
        _HELD.add(key)
        try:
            yield
        finally:
            _HELD.discard(key)
    finally:
        os.close(fd)
