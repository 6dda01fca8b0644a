"""The key that encrypts secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256), in a 0600 file.

The key file is `CONVEYOR_HOME/secrets.key`. It is made on first use, when no secret is stored
yet; afterwards a missing, unreadable, group/world-readable or different key is a StoreError —
a secret is never re-encrypted with a key other than the one the others were stored with.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from conveyor.errors import StoreError
from conveyor.private_files import private_directory

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEY_FILE = "secrets.key"


class SecretBox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fernet: Fernet | None = None

    def fernet(self, *, create: bool) -> Fernet:
        """The cipher, made (and cryptography imported) only once a secret is used: a run of a
        repository without stored secrets never pays for OpenSSL."""
        from cryptography.fernet import Fernet

        if self._fernet is None:
            if not self.path.exists() and create:
                self._create()
            self._fernet = Fernet(self._read())
        return self._fernet

    def encrypt(self, value: str, *, create: bool) -> bytes:
        return self.fernet(create=create).encrypt(value.encode("utf-8"))

    def decrypt(self, token: bytes, name: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self.fernet(create=False).decrypt(token).decode("utf-8")
        except InvalidToken as error:
            raise StoreError(
                f"cannot decrypt secret {name} with the key in {self.path}: it is not the key "
                "the secrets were stored with (restore the right key file, or delete and set "
                "the secrets again)"
            ) from error

    def _create(self) -> None:
        from cryptography.fernet import Fernet

        private_directory(self.path.parent)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process made it first: use theirs
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _read(self) -> bytes:
        try:
            mode = self.path.stat().st_mode
            data = self.path.read_bytes().strip()
        except FileNotFoundError as error:
            raise StoreError(
                f"the secrets key file {self.path} is missing, but secrets are stored that "
                "need it: restore it, or delete the secrets and set them again"
            ) from error
        except OSError as error:
            raise StoreError(f"cannot read the secrets key file {self.path}: {error}") from error
        if stat.S_IMODE(mode) & 0o077:
            raise StoreError(
                f"the secrets key file {self.path} is readable by others "
                f"(mode {stat.S_IMODE(mode):04o}): run chmod 600 {self.path}"
            )
        return self._valid(data)

    def _valid(self, data: bytes) -> bytes:
        from cryptography.fernet import Fernet

        try:
            Fernet(data)
        except ValueError as error:
            raise StoreError(
                f"the secrets key file {self.path} does not hold a valid key"
            ) from error
        return data
