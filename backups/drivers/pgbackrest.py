"""PostgreSQL incremental/differential through an installed pgBackRest (`--type=incr|diff|full`).

pgBackRest keeps the backup in its own repository (it needs WAL archiving configured on the
server: archive_command = 'pgbackrest --stanza=... archive-push %p'), so the run records its
label and output; verification is `pgbackrest verify` and `pgbackrest info`. When the tool is
not installed or no stanza is configured, a policy using it cannot be saved and says why.
"""

import json
import shutil

from django.db import connections

from backups.drivers.base import BackupResult, Driver, DriverError, RestoreResult
from backups.drivers.postgres import executable, pg_environment, run_tool

TYPES = {"full": "full", "incremental": "incr", "differential": "diff"}


class PgBackRestDriver(Driver):
    key = "pgbackrest"
    extension = ".pgbackrest.json"
    types = ("full", "incremental", "differential")

    def describe(self):
        return "pgBackRest"

    def unsupported_reason(self, backup_type, *, tool_options):
        tool = executable("pgbackrest")
        if shutil.which(tool) is None:
            return (
                f"{backup_type} database backups need a real delta method: pgBackRest is not installed "
                f"('{tool}' not found; install it and configure WAL archiving, or set BACKUP_PGBACKREST_PATH). "
                "Only full backups (pg_dump) are available here."
            )
        if not tool_options.get("stanza"):
            return 'pgBackRest needs a stanza: set tool options to {"stanza": "<name>"}'
        return None

    def _argv(self, stanza, *args):
        return [executable("pgbackrest"), f"--stanza={stanza}", *args]

    def backup(self, *, run, sink, parent) -> BackupResult:
        stanza = run.policy.tool_options.get("stanza", "")
        settings_dict = connections["default"].settings_dict
        env = pg_environment(settings_dict)
        output = run_tool(self._argv(stanza, f"--type={TYPES[run.backup_type]}", "backup"), env=env,
                          settings_dict=settings_dict)
        info = self._info(stanza, env, settings_dict)
        label = info[-1]["label"] if info else ""
        record = {"tool": "pgbackrest", "stanza": stanza, "label": label, "type": TYPES[run.backup_type]}
        sink.write(json.dumps(record).encode())
        return BackupResult(metadata=record, tool_output=output)

    def _info(self, stanza, env, settings_dict) -> list:
        output_file = _Capture()
        run_tool(self._argv(stanza, "--output=json", "info"), env=env, settings_dict=settings_dict,
                 stdout=output_file)
        try:
            data = json.loads(output_file.text() or "[]")
        except ValueError:
            raise DriverError("pgbackrest info returned no JSON")
        return (data[0].get("backup") if data else None) or []

    def verify(self, *, run, files, progress) -> RestoreResult:
        stanza = run.metadata.get("stanza", "")
        settings_dict = connections["default"].settings_dict
        env = pg_environment(settings_dict)
        labels = [item.get("label") for item in self._info(stanza, env, settings_dict)]
        if run.metadata.get("label") not in labels:
            raise DriverError(f"pgBackRest no longer lists backup {run.metadata.get('label')}")
        output = run_tool(self._argv(stanza, f"--set={run.metadata['label']}", "verify"), env=env,
                          settings_dict=settings_dict)
        return RestoreResult(destination=f"pgbackrest:{stanza}", details={"output": output[-2000:]})

    def restore(self, *, run, files, in_place, progress) -> RestoreResult:
        raise DriverError(
            "pgBackRest restores replace the server's data directory and need the server stopped: run "
            f"`pgbackrest --stanza={run.metadata.get('stanza')} --set={run.metadata.get('label')} restore` "
            "on the database host (see docs/backup-and-recovery.md)"
        )


class _Capture:
    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(data)

    def text(self):
        return b"".join(self.parts).decode("utf-8", "replace")
