"""Configuration data, through the configuration app's backup services only.

full = `config_backup_snapshot()` (every item; sensitive values stay encrypted);
incremental = the history records since the previous run of any type, differential = since
the last full (`config_backup_changes_since`). Each run records the hash of the live state at
its moment; a restore of run N rebuilds that moment from its chain
(`config_state_apply_changes`) and compares hashes before anything is written.
"""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backups.drivers.base import BackupResult, Driver, DriverError, RestoreResult, VerificationMismatch


def _services():
    try:
        from configuration import services
    except ImportError as exc:
        raise DriverError(f"the configuration app's services are not available: {exc}")
    needed = ("config_backup_snapshot", "config_backup_changes_since", "config_state_apply_changes",
              "config_state_hash", "config_backup_restore")
    missing = [name for name in needed if not hasattr(services, name)]
    if missing:
        raise DriverError("the configuration app does not provide " + ", ".join(missing))
    return services


def _moment(value) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value)) if value else None
    if parsed is None:
        raise DriverError(f"unreadable moment {value!r} in a configuration backup")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.utc)


def dumps(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True).encode()


class ConfigurationDriver(Driver):
    key = "configuration"
    extension = ".json"
    types = ("full", "incremental", "differential")

    def describe(self):
        return "configuration data"

    def has_changes_since(self, parent) -> bool:
        if parent is None:
            return True
        services = _services()
        since = _moment(parent.metadata.get("until"))
        return bool(services.config_backup_changes_since(since=since, until=timezone.now()))

    def backup(self, *, run, sink, parent) -> BackupResult:
        services = _services()
        snapshot = services.config_backup_snapshot()
        until = _moment(snapshot.get("taken_at"))
        state_hash = services.config_state_hash(snapshot)
        if parent is None:
            sink.write(dumps({"kind": "full", "snapshot": snapshot}))
            return BackupResult(
                metadata={"until": until.isoformat(), "state_hash": state_hash},
                tool_output="configuration snapshot",
            )
        since = _moment(parent.metadata.get("until"))
        changes = services.config_backup_changes_since(since=since, until=until)
        sink.write(dumps({"kind": run.backup_type, "since": since, "until": until, "changes": changes}))
        return BackupResult(
            metadata={"since": since.isoformat(), "until": until.isoformat(), "state_hash": state_hash,
                      "changes": len(changes)},
            tool_output=f"{len(changes)} history records since run #{parent.pk}",
        )

    def rebuild(self, files) -> dict:
        services = _services()
        state = None
        for run, path in files:
            try:
                payload = json.loads(path.read_bytes())
            except ValueError as exc:
                raise VerificationMismatch(f"run #{run.pk}: not a readable configuration backup ({exc})")
            if payload.get("kind") == "full":
                state = payload["snapshot"]
            elif state is None:
                raise VerificationMismatch(f"run #{run.pk}: the chain does not start with a full backup")
            else:
                state = services.config_state_apply_changes(state, payload.get("changes", []))
        if state is None:
            raise VerificationMismatch("empty chain")
        return state

    def _checked_state(self, run, files):
        services = _services()
        state = self.rebuild(files)
        actual = services.config_state_hash(state)
        expected = run.metadata.get("state_hash")
        if actual != expected:
            raise VerificationMismatch(
                f"rebuilt configuration hash {actual[:12]}… differs from {str(expected)[:12]}… recorded at backup time"
            )
        return state, actual

    def verify(self, *, run, files, progress) -> RestoreResult:
        progress(0.7, f"rebuilding the configuration from {len(files)} run(s)")
        _state, digest = self._checked_state(run, files)
        return RestoreResult(destination="(in memory)", details={"state_hash": digest, "chain": len(files)})

    def restore(self, *, run, files, in_place, progress, acting_user=None, reason="") -> RestoreResult:
        state, digest = self._checked_state(run, files)
        if not in_place:
            from backups.drivers.sqlite import restore_dir

            destination = restore_dir() / f"configuration-run-{run.pk}.json"
            destination.write_bytes(dumps(state))
            return RestoreResult(destination=str(destination), details={"state_hash": digest})
        progress(0.8, "applying the rebuilt configuration")
        _services().config_backup_restore(state=state, acting_user=acting_user,
                                          reason=reason or f"restore of backup run #{run.pk}")
        return RestoreResult(destination="configuration (in place)", details={"state_hash": digest})
