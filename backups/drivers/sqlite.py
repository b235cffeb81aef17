"""SQLite: the online backup API (a consistent copy while the application runs)."""

import hashlib
import shutil
import sqlite3
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

from backups.drivers.base import (
    BackupResult,
    Driver,
    DriverError,
    RestoreResult,
    VerificationMismatch,
    compare_tables,
)
from backups.storage import CHUNK, work_dir


def table_stats(conn: sqlite3.Connection) -> dict:
    """{table: {"rows": n, "checksum": sha256 over the sorted row digests}}."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    stats = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        digests = sorted(hashlib.sha256(repr(row).encode()).hexdigest() for row in conn.execute(f"SELECT * FROM {quoted}"))
        stats[name] = {"rows": len(digests), "checksum": hashlib.sha256("".join(digests).encode()).hexdigest()}
    return stats


def restore_dir() -> Path:
    path = Path(getattr(settings, "BACKUP_RESTORE_DIR", "") or Path(settings.BACKUP_STORAGE_DIR) / "restores")
    path.mkdir(parents=True, exist_ok=True)
    return path


class SqliteDriver(Driver):
    key = "sqlite"
    extension = ".sqlite3"
    types = ("full",)

    def describe(self):
        return "SQLite (online backup API: full copies only; no incremental method exists)"

    def backup(self, *, run, sink, parent) -> BackupResult:
        wrapper = connections["default"]
        wrapper.ensure_connection()
        copy = work_dir() / f".sqlite-backup-{run.pk}-{time.time_ns()}.sqlite3"
        try:
            dest = sqlite3.connect(copy)
            try:
                if wrapper.is_in_memory_db():
                    # one process, shared cache: copy the pages this connection sees
                    dest.deserialize(wrapper.connection.serialize())
                    dest.commit()
                    disk = sqlite3.connect(copy)
                    dest.backup(disk)
                    dest.close()
                    dest = disk
                else:
                    # a separate reader: a consistent copy of what is committed (WAL readers never block)
                    source = sqlite3.connect(wrapper.settings_dict["NAME"], timeout=20)
                    try:
                        source.backup(dest)
                    finally:
                        source.close()
                stats = table_stats(dest)
            finally:
                dest.close()
            with open(copy, "rb") as handle:
                while chunk := handle.read(CHUNK):
                    sink.write(chunk)
        except sqlite3.Error as exc:
            raise DriverError(f"SQLite backup failed: {exc}")
        finally:
            copy.unlink(missing_ok=True)
        return BackupResult(metadata={"tables": stats, "engine": "sqlite"}, tool_output="sqlite3 online backup API")

    def _check(self, path: Path, recorded: dict) -> dict:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
                if result != ["ok"]:
                    raise VerificationMismatch("integrity_check failed: " + "; ".join(result[:5]))
                restored = table_stats(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise VerificationMismatch(f"the restored file is not a usable SQLite database: {exc}")
        problems = compare_tables(recorded, restored)
        if problems:
            raise VerificationMismatch("restored data differs: " + "; ".join(problems[:5]))
        return restored

    def verify(self, *, run, files, progress) -> RestoreResult:
        _, path = files[-1]
        progress(0.7, "integrity_check and row counts")
        restored = self._check(path, run.metadata.get("tables", {}))
        return RestoreResult(destination=str(path), details={"tables": len(restored),
                                                             "rows": sum(t["rows"] for t in restored.values())})

    def restore(self, *, run, files, in_place, progress) -> RestoreResult:
        _, path = files[-1]
        self._check(path, run.metadata.get("tables", {}))
        if not in_place:
            destination = restore_dir() / f"run-{run.pk}-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3"
            progress(0.8, f"copying to {destination}")
            shutil.copyfile(path, destination)
            return RestoreResult(destination=str(destination))
        wrapper = connections["default"]
        wrapper.ensure_connection()
        progress(0.8, "copying into the live database (online backup API)")
        source = sqlite3.connect(path)
        try:
            source.backup(wrapper.connection)
        except sqlite3.Error as exc:
            raise DriverError(f"in-place restore failed: {exc}")
        finally:
            source.close()
        return RestoreResult(destination=str(wrapper.settings_dict["NAME"]))
