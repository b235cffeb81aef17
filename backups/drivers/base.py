"""What every driver offers. A driver writes one backup into a sink and test-restores or
restores a chain of fetched files; it raises DriverError with a readable message."""

from dataclasses import dataclass, field
from pathlib import Path


class DriverError(Exception):
    def __init__(self, message: str, *, output: str = ""):
        super().__init__(message)
        self.output = output


class VerificationMismatch(DriverError):
    """The test restore worked but the restored data differs from what was recorded."""


@dataclass
class BackupResult:
    metadata: dict = field(default_factory=dict)
    tool_output: str = ""


@dataclass
class RestoreResult:
    destination: str = ""
    details: dict = field(default_factory=dict)


class Driver:
    key = "base"
    extension = ".bin"
    #: backup types this driver can make, and why the others cannot be made
    types = ("full",)

    def unsupported_reason(self, backup_type: str, *, tool_options: dict) -> str | None:
        if backup_type not in self.types:
            return f"{self.describe()} cannot make {backup_type} backups"
        return None

    def describe(self) -> str:
        return self.key

    def backup(self, *, run, sink, parent) -> BackupResult:
        raise NotImplementedError

    def verify(self, *, run, files: list[tuple[object, Path]], progress) -> RestoreResult:
        """Test-restore `files` (the chain, full first, already checksum-checked)."""
        raise NotImplementedError

    def restore(self, *, run, files: list[tuple[object, Path]], in_place: bool, progress) -> RestoreResult:
        raise NotImplementedError


def compare_tables(recorded: dict, restored: dict) -> list[str]:
    """Differences between {table: {"rows": n, "checksum": h}} maps, as readable lines."""
    problems = []
    for table in sorted(set(recorded) | set(restored)):
        before, after = recorded.get(table), restored.get(table)
        if before is None:
            problems.append(f"{table}: present after restore but not recorded at backup time")
        elif after is None:
            problems.append(f"{table}: missing after restore")
        elif before.get("rows") != after.get("rows"):
            problems.append(f"{table}: {before.get('rows')} rows recorded, {after.get('rows')} restored")
        elif before.get("checksum") != after.get("checksum"):
            problems.append(f"{table}: row checksum differs")
    return problems
