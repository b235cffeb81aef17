"""Media files: a tar of MEDIA_ROOT. Incremental = files new or changed since the parent run
(plus the list of files deleted since), differential = since the last full. Each run records
the manifest of the whole tree (size, mtime, SHA-256) so a restore of its chain can be
checked file by file."""

import hashlib
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings

from backups.drivers.base import BackupResult, Driver, DriverError, RestoreResult, VerificationMismatch
from backups.drivers.sqlite import restore_dir
from backups.storage import CHUNK, work_dir


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(root: Path, previous: dict | None = None) -> dict:
    """{relative path: {"size", "mtime_ns", "sha256"}}; unchanged files reuse the previous hash."""
    previous = previous or {}
    manifest = {}
    if not root.exists():
        return manifest
    for dirpath, _dirs, filenames in os.walk(root):
        for filename in filenames:
            path = Path(dirpath) / filename
            if path.is_symlink() or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            stat = path.stat()
            before = previous.get(rel)
            if before and before["size"] == stat.st_size and before["mtime_ns"] == stat.st_mtime_ns:
                manifest[rel] = before
            else:
                manifest[rel] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _sha256(path)}
    return manifest


def tree_manifest(root: Path) -> dict:
    return {rel: entry["sha256"] for rel, entry in scan(root).items()}


class MediaDriver(Driver):
    key = "media"
    extension = ".tar"
    types = ("full", "incremental", "differential")

    def describe(self):
        return "media files (tar)"

    def backup(self, *, run, sink, parent) -> BackupResult:
        root = media_root()
        base = parent.metadata.get("manifest", {}) if parent is not None else {}
        manifest = scan(root, base)
        if parent is None:
            changed = sorted(manifest)
            deleted = []
        else:
            changed = sorted(rel for rel, entry in manifest.items() if base.get(rel) != entry)
            deleted = sorted(set(base) - set(manifest))
        try:
            with tarfile.open(fileobj=sink, mode="w|") as tar:
                for rel in changed:
                    tar.add(root / rel, arcname=rel, recursive=False)
        except FileNotFoundError as exc:
            raise DriverError(f"a media file vanished during the backup: {exc.filename}")
        return BackupResult(
            metadata={"manifest": manifest, "changed": changed, "deleted": deleted, "root": str(root)},
            tool_output=f"{len(changed)} files archived, {len(deleted)} deletions recorded, {len(manifest)} in tree",
        )

    def _rebuild(self, files, destination: Path, progress):
        for index, (run, path) in enumerate(files):
            for rel in run.metadata.get("deleted", []):
                (destination / rel).unlink(missing_ok=True)
            try:
                with tarfile.open(path, mode="r:") as tar:
                    tar.extractall(destination, filter="data")
            except (tarfile.TarError, OSError) as exc:
                raise VerificationMismatch(f"run #{run.pk}: the archive cannot be read: {exc}")
            progress(0.5 + 0.4 * (index + 1) / len(files), f"applied run #{run.pk}")

    def _check(self, run, tree: Path):
        expected = {rel: entry["sha256"] for rel, entry in run.metadata.get("manifest", {}).items()}
        actual = tree_manifest(tree)
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        differ = sorted(rel for rel in set(expected) & set(actual) if expected[rel] != actual[rel])
        if missing or extra or differ:
            raise VerificationMismatch(
                f"restored files differ: {len(missing)} missing, {len(extra)} unexpected, {len(differ)} changed"
                + (f" (e.g. {(missing + extra + differ)[0]})" if missing or extra or differ else "")
            )
        return len(actual)

    def verify(self, *, run, files, progress) -> RestoreResult:
        with tempfile.TemporaryDirectory(dir=work_dir()) as scratch:
            tree = Path(scratch)
            self._rebuild(files, tree, progress)
            count = self._check(run, tree)
        return RestoreResult(destination="(temporary directory)", details={"files": count})

    def restore(self, *, run, files, in_place, progress) -> RestoreResult:
        destination = restore_dir() / f"media-run-{run.pk}-{time.strftime('%Y%m%d-%H%M%S')}"
        destination.mkdir(parents=True)
        self._rebuild(files, destination, progress)
        count = self._check(run, destination)
        if not in_place:
            return RestoreResult(destination=str(destination), details={"files": count})
        root = media_root()
        root.mkdir(parents=True, exist_ok=True)
        for rel in set(tree_manifest(root)) - set(tree_manifest(destination)):
            (root / rel).unlink(missing_ok=True)
        shutil.copytree(destination, root, dirs_exist_ok=True)
        shutil.rmtree(destination, ignore_errors=True)
        return RestoreResult(destination=str(root), details={"files": count})
