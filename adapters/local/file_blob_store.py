from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Sequence
from pathlib import Path

_temp_names = itertools.count()  # one counter per process: no two writers share a temp name


class FileBlobStore:
    """Objects as files under a directory, at the same keys the S3 store uses.

    Writes go to a temporary file in the target directory, then ``os.replace`` (or ``os.link`` for
    a conditional create), so a reader sees the old object or the new one, never a partial file.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self._verified_dirs: set[str] = set()
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"key {key!r} points outside the results directory")
        return path

    def _write_path(self, key: str) -> str:
        """The file for ``key``, its directory created and checked to lie inside the root.

        Writes are the hot path (four per simulated point), so the key is checked lexically and
        each directory is resolved once, not every component of every key on every write.
        """
        parts = key.split("/")
        if any(p in ("", ".", "..") or "\x00" in p for p in parts):
            raise ValueError(f"key {key!r} has an empty, '.', '..' or NUL segment")
        directory = os.path.join(self.root, *parts[:-1])
        self._ensure_directory(directory, key)
        return os.path.join(directory, parts[-1])

    def _ensure_directory(self, directory: str, key: str) -> None:
        """Create ``directory`` level by level below a checked parent: a directory this store
        makes itself is real and inside the root; one that already exists is resolved once."""
        if directory in self._verified_dirs:
            return
        if directory == str(self.root):
            os.makedirs(directory, exist_ok=True)
        else:
            self._make_checked_directory(directory, key)
        with self._lock:
            self._verified_dirs.add(directory)

    def _make_checked_directory(self, directory: str, key: str) -> None:
        self._ensure_directory(os.path.dirname(directory), key)
        try:
            os.mkdir(directory)
        except FileExistsError:
            if os.path.islink(directory) or not os.path.isdir(directory):
                real = Path(directory).resolve()
                if not real.is_relative_to(self.root) or not real.is_dir():
                    raise ValueError(f"key {key!r} points outside the results directory") from None

    def _write_temp(self, path: str, data: bytes) -> str:
        directory = os.path.dirname(path)
        tmp = os.path.join(directory, f".tmp-{os.getpid()}-{next(_temp_names)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError:  # directories were removed since they were checked: check again
            with self._lock:
                self._verified_dirs.clear()
            raise
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except OSError as exc:  # a full disk, a quota: leave no partial file behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if exc.filename is None:  # a failed write names no file; the user needs to know where
                raise OSError(exc.errno, exc.strerror, path) from exc
            raise
        return tmp

    def put(self, key: str, data: bytes) -> None:
        try:
            path = self._write_path(key)
            tmp = self._write_temp(path, data)
        except FileNotFoundError:
            path = self._write_path(key)
            tmp = self._write_temp(path, data)
        os.replace(tmp, path)

    def put_many(self, items: Sequence[tuple[str, bytes]]) -> None:
        for key, data in items:
            self.put(key, data)

    def create_if_absent(self, key: str, data: bytes) -> bool:
        path = self._write_path(key)
        tmp = self._write_temp(path, data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        return True

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self, prefix: str) -> list[str]:
        directory = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not directory.is_dir():
            return []
        keys: list[str] = []
        for dirpath, _dirs, files in os.walk(directory):
            for name in files:
                if name.startswith(".tmp-"):
                    continue
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    keys.append(key)
        return sorted(keys)

    def list_page(self, prefix: str, *, start_after: str | None, limit: int) -> list[str]:
        after = [k for k in self.list_keys(prefix) if start_after is None or k > start_after]
        return after[:limit]
