"""Where backup files live and how bytes get there.

`open_writer(name, compression=..., encrypt=...)` is a context manager: bytes written go
through compression, optional encryption and SHA-256 into a temporary name; only when the
block exits cleanly is the file renamed (local directory) or uploaded (any other Django
storage) to its final name. On any exception the temporary file is removed, so a failed
or interrupted run never leaves a file that looks complete.

Encryption (when a policy asks for it): AES-256-CTR with an HMAC-SHA256 over the whole
ciphertext (encrypt-then-MAC), keys derived with HKDF from BACKUP_ENCRYPTION_KEY. The MAC is
checked before a single byte is decrypted.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.module_loading import import_string

CHUNK = 1024 * 1024
MAGIC = b"MKOBAK1\n"
TAG_SIZE = 32


class StorageError(Exception):
    """The backup storage could not be written or read (full, unreachable, missing file)."""


class IntegrityError(StorageError):
    """The stored bytes are not the ones written (checksum or MAC mismatch)."""


_storages: dict = {}


def get_storage() -> Storage:
    """The configured backup storage (one instance per configuration)."""
    backend = getattr(settings, "BACKUP_STORAGE_BACKEND", "")
    options = getattr(settings, "BACKUP_STORAGE_OPTIONS", {}) or {}
    key = (backend, json.dumps(options, sort_keys=True, default=str), str(settings.BACKUP_STORAGE_DIR))
    if key not in _storages:
        if backend:
            _storages[key] = import_string(backend)(**options)
        else:
            _storages[key] = FileSystemStorage(location=str(settings.BACKUP_STORAGE_DIR))
    return _storages[key]


def work_dir() -> Path:
    path = Path(getattr(settings, "BACKUP_WORK_DIR", "") or tempfile.gettempdir())
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keys() -> tuple[bytes, bytes]:
    raw = getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    if not raw:
        raise StorageError("encryption requested but BACKUP_ENCRYPTION_KEY is not set")
    try:
        material = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        material = raw.encode()
    if len(material) < 32:
        material = raw.encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"marketplace-ops-backups", info=b"v1").derive(
        material
    )
    return derived[:32], derived[32:]


@dataclass
class WriteResult:
    name: str
    size: int
    sha256: str


class _Sink:
    """compress -> encrypt -> hash -> file."""

    def __init__(self, fileobj, *, compression: str, encrypt: bool):
        self.file = fileobj
        self.digest = hashlib.sha256()
        self.size = 0
        self.raw_size = 0
        self.compressor = zlib.compressobj(6, zlib.DEFLATED, 31) if compression == "gzip" else None
        self.encryptor = None
        self.mac = None
        if encrypt:
            enc_key, mac_key = _keys()
            nonce = os.urandom(16)
            self.encryptor = Cipher(algorithms.AES(enc_key), modes.CTR(nonce)).encryptor()
            self.mac = hmac.new(mac_key, MAGIC + nonce, hashlib.sha256)
            self._emit(MAGIC + nonce)

    def _emit(self, data: bytes):
        if data:
            self.file.write(data)
            self.digest.update(data)
            self.size += len(data)

    def _encrypt(self, data: bytes):
        if self.encryptor is not None and data:
            data = self.encryptor.update(data)
            self.mac.update(data)
        self._emit(data)

    def write(self, data: bytes):
        self.raw_size += len(data)
        if self.compressor is not None:
            data = self.compressor.compress(data)
        self._encrypt(data)
        return len(data)

    def close(self):
        if self.compressor is not None:
            self._encrypt(self.compressor.flush())
        if self.encryptor is not None:
            self._encrypt(self.encryptor.finalize())
            self._emit(self.mac.digest())
        self.file.flush()
        os.fsync(self.file.fileno())


@contextlib.contextmanager
def open_writer(name: str, *, compression: str = "gzip", encrypt: bool = False):
    """Yield a writable sink; the result (final name, size, SHA-256) is on `sink.result`."""
    storage = get_storage()
    local = isinstance(storage, FileSystemStorage)
    if local:
        final = Path(storage.path(name))
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"backup storage {final.parent} is not writable: {exc.strerror or exc}")
        temp = final.with_name(f".{final.name}.partial-{uuid.uuid4().hex[:8]}")
    else:
        temp = work_dir() / f".upload-{uuid.uuid4().hex}"
    sink = None
    try:
        with open(temp, "wb") as handle:
            sink = _Sink(handle, compression=compression, encrypt=encrypt)
            yield sink
            sink.close()
        if local:
            if final.exists():
                raise StorageError(f"refusing to overwrite existing backup file {name}")
            os.replace(temp, final)
            stored = name
        else:
            with open(temp, "rb") as handle:
                stored = storage.save(name, File(handle))
        sink.result = WriteResult(name=stored, size=sink.size, sha256=sink.digest.hexdigest())
    except OSError as exc:
        raise StorageError(f"writing {name} failed: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _open_stored(name: str):
    storage = get_storage()
    try:
        return storage.open(name, "rb")
    except FileNotFoundError:
        raise StorageError(f"backup file {name} is missing from storage")
    except OSError as exc:
        raise StorageError(f"backup storage unreachable reading {name}: {exc.strerror or exc}")


def stored_sha256(name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with _open_stored(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def delete(name: str):
    storage = get_storage()
    try:
        if name and storage.exists(name):
            storage.delete(name)
    except OSError as exc:
        raise StorageError(f"deleting {name} failed: {exc.strerror or exc}")


def fetch(name: str, destination: Path, *, compression: str, encrypted: bool, expected_sha256: str = "",
          progress=None, size_hint: int | None = None) -> Path:
    """Copy a stored file to `destination`, decrypted and decompressed, checking SHA-256 (and MAC)."""
    with _open_stored(name) as handle, tempfile.TemporaryFile(dir=work_dir()) as spool:
        digest = hashlib.sha256()
        copied = 0
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
            copied += len(chunk)
            if progress and size_hint:
                progress(min(copied / size_hint, 1.0) * 0.5)
        if expected_sha256 and digest.hexdigest() != expected_sha256:
            raise IntegrityError(
                f"SHA-256 of {name} is {digest.hexdigest()[:16]}…, expected {expected_sha256[:16]}… "
                "(the file changed after it was written)"
            )
        spool.seek(0)
        decryptor = None
        total = copied
        if encrypted:
            enc_key, mac_key = _keys()
            header = spool.read(len(MAGIC) + 16)
            if not header.startswith(MAGIC):
                raise IntegrityError(f"{name} is not an encrypted backup file")
            mac = hmac.new(mac_key, header, hashlib.sha256)
            body_len = total - len(header) - TAG_SIZE
            remaining = body_len
            while remaining > 0:
                chunk = spool.read(min(CHUNK, remaining))
                mac.update(chunk)
                remaining -= len(chunk)
            if not hmac.compare_digest(mac.digest(), spool.read(TAG_SIZE)):
                raise IntegrityError(f"{name}: authentication tag mismatch (wrong key or tampered file)")
            spool.seek(len(header))
            decryptor = Cipher(algorithms.AES(enc_key), modes.CTR(header[len(MAGIC):])).decryptor()
            total = body_len
        decompressor = zlib.decompressobj(31) if compression == "gzip" else None
        done = 0
        try:
            with open(destination, "wb") as out:
                while done < total:
                    chunk = spool.read(min(CHUNK, total - done))
                    if not chunk:
                        break
                    done += len(chunk)
                    if decryptor is not None:
                        chunk = decryptor.update(chunk)
                    if decompressor is not None:
                        chunk = decompressor.decompress(chunk)
                    out.write(chunk)
                    if progress:
                        progress(0.5 + done / max(total, 1) * 0.5)
                if decompressor is not None:
                    out.write(decompressor.flush())
                    if not decompressor.eof:
                        raise IntegrityError(f"{name} is truncated (compressed stream incomplete)")
        except zlib.error as exc:
            raise IntegrityError(f"{name} does not decompress: {exc}")
        except OSError as exc:
            raise StorageError(f"writing the restored copy failed: {exc.strerror or exc}")
    return destination


def copy_to(fileobj, sink):
    shutil.copyfileobj(fileobj, sink, CHUNK)
