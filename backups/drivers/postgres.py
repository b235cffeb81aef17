"""PostgreSQL: `pg_dump -Fc` from an exported snapshot, restored with `pg_restore`.

Connection details go through the PG* environment, built from Django's own `dbshell` client
(`DatabaseClient.settings_to_cmd_args_env`) plus the connection OPTIONS it does not cover, so
sockets, sslmode and passwords with any characters work and no password appears in argv,
logs or error messages. Row counts and per-table checksums are taken in the transaction that
exported the snapshot pg_dump uses, so a test restore can compare exactly.
"""

import os
import secrets
import subprocess
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.client import DatabaseClient
from psycopg import sql

from backups.drivers.base import (
    BackupResult,
    Driver,
    DriverError,
    RestoreResult,
    VerificationMismatch,
    compare_tables,
)
from backups.storage import CHUNK, work_dir

# libpq parameter <-> environment variable
ENV_PARAMS = {
    "PGHOST": "host",
    "PGPORT": "port",
    "PGUSER": "user",
    "PGPASSWORD": "password",
    "PGDATABASE": "dbname",
    "PGSERVICE": "service",
    "PGPASSFILE": "passfile",
    "PGSSLMODE": "sslmode",
    "PGSSLROOTCERT": "sslrootcert",
    "PGSSLCERT": "sslcert",
    "PGSSLKEY": "sslkey",
    "PGSSLCRL": "sslcrl",
    "PGCONNECT_TIMEOUT": "connect_timeout",
    "PGAPPNAME": "application_name",
    "PGOPTIONS": "options",
    "PGTARGETSESSIONATTRS": "target_session_attrs",
}
EXTRA_OPTIONS = {"sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME",
                 "options": "PGOPTIONS", "target_session_attrs": "PGTARGETSESSIONATTRS"}
FLAGS = {"-U": "PGUSER", "-h": "PGHOST", "-p": "PGPORT"}


def pg_environment(settings_dict: dict, *, dbname: str | None = None) -> dict:
    """PG* variables for a database's settings (Django's dbshell logic + remaining OPTIONS)."""
    settings_dict = {**settings_dict, "OPTIONS": settings_dict.get("OPTIONS") or {}}
    args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = dict(env or {})
    rest = iter(args[1:])
    for arg in rest:
        if arg in FLAGS:
            env[FLAGS[arg]] = str(next(rest))
        else:
            env["PGDATABASE"] = arg
    for option, variable in EXTRA_OPTIONS.items():
        value = settings_dict["OPTIONS"].get(option)
        if value not in (None, ""):
            env[variable] = str(value)
    if dbname:
        env["PGDATABASE"] = dbname
    return env


def process_environment(pg_env: dict) -> dict:
    """The child's environment: ours without inherited PG* variables, plus the given ones."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    return {**base, **pg_env}


def libpq_params(pg_env: dict) -> dict:
    return {ENV_PARAMS[key]: value for key, value in pg_env.items() if key in ENV_PARAMS}


def scrub(text: str, settings_dict: dict) -> str:
    """Remove the password (raw and URL-quoted) from tool output before it is stored or shown."""
    from urllib.parse import quote

    password = str(settings_dict.get("PASSWORD") or "")
    if password:
        for form in {password, quote(password, safe=""), quote(password)}:
            text = text.replace(form, "[redacted]")
    return text


def executable(name: str) -> str:
    return getattr(settings, f"BACKUP_{name.upper()}_PATH", "") or name


def run_tool(argv: list[str], *, env: dict, settings_dict: dict, stdout=None, timeout=None) -> str:
    """Run a client tool (no shell); return its stderr; raise DriverError on failure."""
    with open(os.devnull, "rb") as devnull, _temp_text() as err:
        try:
            proc = subprocess.Popen(argv, stdin=devnull, stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                                    stderr=err, env=process_environment(env))
        except FileNotFoundError:
            raise DriverError(f"{argv[0]} is not installed or not on PATH (set BACKUP_{Path(argv[0]).name.upper()}_PATH)")
        except OSError as exc:
            raise DriverError(f"{argv[0]} could not start: {exc.strerror or exc}")
        try:
            if stdout is not None:
                while chunk := proc.stdout.read(CHUNK):
                    stdout.write(chunk)
            proc.wait(timeout=timeout)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if proc.stdout:
                proc.stdout.close()
        err.seek(0)
        output = scrub(err.read().decode("utf-8", "replace"), settings_dict)
    if proc.returncode != 0:
        last = output.strip().splitlines()[-1] if output.strip() else "no error output"
        raise DriverError(f"{Path(argv[0]).name} exited with status {proc.returncode}: {last}", output=output)
    return output


class _temp_text:
    def __enter__(self):
        import tempfile

        self.handle = tempfile.TemporaryFile(dir=work_dir())
        return self.handle

    def __exit__(self, *exc):
        self.handle.close()


def table_stats(conn) -> dict:
    """{schema.table: {"rows": n, "checksum": md5 of the sorted row md5s}} of ordinary tables."""
    tables = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%' ORDER BY 1, 2"
    ).fetchall()
    stats = {}
    for schema, name in tables:
        query = sql.SQL(
            "SELECT count(*), coalesce(md5(string_agg(h, '' ORDER BY h)), '') "
            "FROM (SELECT md5(t::text) AS h FROM {}.{} AS t) AS rows"
        ).format(sql.Identifier(schema), sql.Identifier(name))
        count, checksum = conn.execute(query).fetchone()
        stats[f"{schema}.{name}"] = {"rows": count, "checksum": checksum}
    return stats


def connect(pg_env: dict, **kwargs):
    try:
        return psycopg.connect(**libpq_params(pg_env), **kwargs)
    except psycopg.OperationalError as exc:
        raise DriverError(f"cannot connect to PostgreSQL: {str(exc).strip().splitlines()[0]}")


def scratch_name(run_id) -> str:
    prefix = getattr(settings, "BACKUP_SCRATCH_DB_PREFIX", "mko_backups_scratch")
    return f"{prefix}_{run_id}_{int(time.time())}_{secrets.token_hex(3)}"


class PostgresDriver(Driver):
    key = "postgres"
    extension = ".dump"
    types = ("full",)

    def describe(self):
        return "pg_dump"

    def unsupported_reason(self, backup_type, *, tool_options):
        if backup_type != "full":
            return super().unsupported_reason(backup_type, tool_options=tool_options)
        return None

    def __init__(self, settings_dict: dict | None = None):
        self._settings_dict = settings_dict

    @property
    def settings_dict(self):
        return self._settings_dict or connections["default"].settings_dict

    def backup(self, *, run, sink, parent) -> BackupResult:
        env = pg_environment(self.settings_dict)
        argv = [executable("pg_dump"), "--format=custom", "--no-password"]
        if run.compression == "gzip":
            argv.append("--compress=0")  # the pipeline compresses once
        with connect(env, autocommit=True) as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            stats = table_stats(conn)
            server = conn.info.server_version
            argv.append(f"--snapshot={snapshot}")
            try:
                output = run_tool(argv, env=env, settings_dict=self.settings_dict, stdout=sink)
            finally:
                conn.execute("ROLLBACK")
        return BackupResult(
            metadata={"tables": stats, "snapshot": snapshot, "server_version": server,
                      "database": env.get("PGDATABASE", "")},
            tool_output=output,
        )

    def _create(self, env, name):
        with connect({**env, "PGDATABASE": "postgres"}, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))

    def _drop(self, env, name):
        with connect({**env, "PGDATABASE": "postgres"}, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _restore_into(self, env, name, path: Path, *, clean=False) -> str:
        argv = [executable("pg_restore"), "--no-password", "--no-owner", "--no-privileges", "--exit-on-error",
                f"--dbname={name}"]
        if clean:
            argv += ["--clean", "--if-exists", "--single-transaction"]
        argv.append(str(path))
        return run_tool(argv, env={**env, "PGDATABASE": name}, settings_dict=self.settings_dict)

    def verify(self, *, run, files, progress) -> RestoreResult:
        _, path = files[-1]
        env = pg_environment(self.settings_dict)
        name = scratch_name(run.pk)
        self._create(env, name)
        try:
            progress(0.6, f"pg_restore into scratch database {name}")
            output = self._restore_into(env, name, path)
            progress(0.85, "comparing row counts and checksums")
            with connect({**env, "PGDATABASE": name}) as conn:
                restored = table_stats(conn)
        finally:
            self._drop(env, name)
        problems = compare_tables(run.metadata.get("tables", {}), restored)
        if problems:
            raise VerificationMismatch("restored data differs: " + "; ".join(problems[:5]), output=output)
        return RestoreResult(destination=name, details={"tables": len(restored),
                                                          "rows": sum(t["rows"] for t in restored.values())})

    def restore(self, *, run, files, in_place, progress) -> RestoreResult:
        _, path = files[-1]
        env = pg_environment(self.settings_dict)
        if in_place:
            name = env.get("PGDATABASE", "")
            progress(0.6, f"pg_restore --clean into {name}")
            connections["default"].close()
            output = self._restore_into(env, name, path, clean=True)
            return RestoreResult(destination=name, details={"output": output[-2000:]})
        name = scratch_name(run.pk)
        self._create(env, name)
        try:
            progress(0.6, f"pg_restore into new database {name}")
            output = self._restore_into(env, name, path)
        except Exception:
            self._drop(env, name)
            raise
        return RestoreResult(destination=name, details={"output": output[-2000:]})
