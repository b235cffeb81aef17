"""The PostgreSQL driver: pg_dump from an exported snapshot, scratch restores, faults, connection
details (passwords with @:/%, socket hosts) through the PG* environment only."""

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from backups import services
from backups.drivers.postgres import PostgresDriver, libpq_params, pg_environment, run_tool, scrub
from backups.storage import get_storage, open_writer
from tests.backups.conftest import SCRATCH_PREFIX, flip_byte, notifications_for

SPECIAL = "p@ss:w/rd%40&x"


def test_environment_carries_password_socket_and_ssl_options_not_argv():
    env = pg_environment({"NAME": "mko", "USER": "ops", "PASSWORD": SPECIAL, "HOST": "/var/run/postgresql",
                          "PORT": "5432", "OPTIONS": {"sslmode": "require", "connect_timeout": 5,
                                                      "application_name": "backups"}})
    assert env == {"PGPASSWORD": SPECIAL, "PGSSLMODE": "require", "PGUSER": "ops", "PGHOST": "/var/run/postgresql",
                   "PGPORT": "5432", "PGDATABASE": "mko", "PGCONNECT_TIMEOUT": "5", "PGAPPNAME": "backups"}
    assert libpq_params(env)["password"] == SPECIAL and libpq_params(env)["host"] == "/var/run/postgresql"


def test_database_url_with_special_characters_reaches_the_environment_unchanged():
    import environ

    config = environ.Env.db_url_config("postgres://ops:p%40ss%3Aw%2Frd%2540%26x@127.0.0.1:5432/mko")
    assert config["PASSWORD"] == SPECIAL
    assert pg_environment(config)["PGPASSWORD"] == SPECIAL


def test_tool_errors_never_show_the_password(tmp_path):
    script = tmp_path / "fake_pg_dump"
    script.write_text(f"#!/bin/sh\necho \"connection to server failed for password {SPECIAL} ($PGPASSWORD)\" >&2\nexit 2\n")
    script.chmod(0o755)
    with pytest.raises(Exception) as excinfo:
        run_tool([str(script)], env={"PGPASSWORD": SPECIAL}, settings_dict={"PASSWORD": SPECIAL})
    assert SPECIAL not in str(excinfo.value) and SPECIAL not in excinfo.value.output
    assert "[redacted]" in excinfo.value.output and "status 2" in str(excinfo.value)
    assert scrub("x p%40ss%3Aw%2Frd%2540%26x y", {"PASSWORD": SPECIAL}) == "x [redacted] y"


def stored(run) -> Path:
    return Path(get_storage().path(run.storage_name))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_verify_then_flipped_byte_fails_and_alerts(policy, component, operations_user):
    component("api-gateway")
    component("analytics")
    run = services.backup_run_start(policy=policy(compression="none"), acting_user=operations_user)
    assert run.status == "verified", run.error or run.verification_error
    assert run.metadata["tables"]["public.marketplace_ops_component"]["rows"] == 2
    assert run.metadata["snapshot"]
    restore = run.restores.get()
    assert restore.status == "succeeded" and restore.details["tables"] == len(run.metadata["tables"])
    assert restore.destination.startswith("mko_backups_scratch_")  # the prefix, here with the test pid
    flip_byte(stored(run))
    services.backup_verify(run=run, acting_user=None)
    run.refresh_from_db()
    assert run.status == "verification_failed" and "SHA-256" in run.verification_error
    assert len(notifications_for("backups.verification_failed")) == 1
    assert not scratch_databases()


@pytest.mark.postgres
@pytest.mark.django_db
def test_corrupt_dump_with_matching_checksum_fails_the_test_restore(policy):
    """Even with the checksum recomputed (the file was bad when written) the scratch restore catches it."""
    run = services.backup_run_start(policy=policy(compression="none"), acting_user=None, verify=False)
    path = stored(run)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    import hashlib

    from backups.models import BackupRun

    BackupRun.objects.filter(pk=run.pk).update(sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    run.refresh_from_db()
    services.backup_verify(run=run, acting_user=None)
    run.refresh_from_db()
    assert run.status == "verification_failed" and "pg_restore" in run.verification_error
    assert not scratch_databases()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_to_scratch_database(policy, component):
    component("api-catalog")
    run = services.backup_run_start(policy=policy(), acting_user=None)
    restore = services.backup_restore(run=run, acting_user=None)
    try:
        assert restore.status == "succeeded", restore.error
        out = psql(restore.destination, "SELECT slug FROM marketplace_ops_component")
        assert out.strip() == "api-catalog"
    finally:
        psql("postgres", f'DROP DATABASE IF EXISTS "{restore.destination}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db
def test_pg_dump_missing_fails_the_run_and_tells_operations(policy, settings, operations_user):
    settings.BACKUP_PG_DUMP_PATH = "/nonexistent/pg_dump"
    run = services.backup_run_start(policy=policy(), acting_user=None)
    assert run.status == "failed" and "not installed" in run.error
    assert len(notifications_for("backups.backup_failed")) == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_pg_dump_failing_keeps_stderr(policy, settings, tmp_path):
    script = tmp_path / "pg_dump"
    script.write_text("#!/bin/sh\necho 'pg_dump: error: aborting because of server version mismatch' >&2\nexit 1\n")
    script.chmod(0o755)
    settings.BACKUP_PG_DUMP_PATH = str(script)
    run = services.backup_run_start(policy=policy(), acting_user=None)
    assert run.status == "failed" and "version mismatch" in run.error and "version mismatch" in run.tool_output
    assert not list(Path(settings.BACKUP_STORAGE_DIR).rglob("*.dump*"))


@pytest.mark.postgres
@pytest.mark.django_db
def test_incremental_needs_pgbackrest_and_says_why(policy):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="pgBackRest is not installed"):
        policy("db-hourly", backup_type="incremental", schedule="0 * * * *")


@pytest.mark.postgres
@pytest.mark.django_db
def test_socket_host_and_password_role(tmp_path):
    """Connect as a role whose password has @:/% characters, over TCP and over the socket."""
    role = "mko_backups_pw_role"
    escaped = SPECIAL.replace("'", "''")
    psql("postgres", f"DROP ROLE IF EXISTS {role}")
    psql("postgres", f"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{escaped}'")
    try:
        base = {**connection.settings_dict, "USER": role, "PASSWORD": SPECIAL}
        for host in ("127.0.0.1", "/var/run/postgresql"):
            driver = PostgresDriver({**base, "HOST": host, "PORT": "5432"})
            run = SimpleNamespace(pk=f"t{len(host)}", compression="none", metadata={})
            with open_writer(f"pw/{len(host)}.dump", compression="none") as sink:
                result = driver.backup(run=run, sink=sink, parent=None)
            assert SPECIAL not in result.tool_output
            run.metadata = result.metadata
            fetched = tmp_path / f"{len(host)}.dump"
            fetched.write_bytes(Path(get_storage().path(sink.result.name)).read_bytes())
            verified = driver.verify(run=run, files=[(run, fetched)], progress=lambda *a: None)
            assert verified.details["tables"] == len(result.metadata["tables"])
    finally:
        psql("postgres", f"DROP ROLE IF EXISTS {role}")
    assert not scratch_databases()


def psql(dbname, sql):
    from backups.drivers.postgres import process_environment

    env = process_environment(pg_environment(connection.settings_dict, dbname=dbname))
    return subprocess.run(["psql", "-XAtc", sql], env=env, check=True, capture_output=True, text=True).stdout


def scratch_databases():
    return [name for name in psql("postgres", "SELECT datname FROM pg_database").split()
            if name.startswith(SCRATCH_PREFIX + "_")]


FAKE_PGBACKREST = """#!/bin/sh
echo "$@" >> "{log}"
case "$*" in
  *" backup") echo "P00   INFO: backup command end: completed successfully";;
  *"--output=json info") echo '[{{"name":"main","backup":[{{"label":"20261203-101500F_20261203-111500I","type":"incr"}}]}}]';;
  *" verify") echo "P00   INFO: verify command end: completed successfully";;
  *) echo "unexpected $*" >&2; exit 3;;
esac
"""


@pytest.mark.postgres
@pytest.mark.django_db
def test_pgbackrest_driver_runs_the_installed_tool_with_its_type(policy, settings, tmp_path):
    log = tmp_path / "calls.log"
    script = tmp_path / "pgbackrest"
    script.write_text(FAKE_PGBACKREST.format(log=log))
    script.chmod(0o755)
    settings.BACKUP_PGBACKREST_PATH = str(script)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="stanza"):
        policy("db-hourly", backup_type="incremental", schedule="0 * * * *")
    p = policy("db-hourly", backup_type="incremental", schedule="0 * * * *", tool_options={"stanza": "main"})
    run = services.backup_run_start(policy=p, acting_user=None)
    assert run.backup_type == "incremental" and run.status == "verified", run.error or run.verification_error
    assert run.metadata["label"] == "20261203-101500F_20261203-111500I"
    calls = log.read_text().splitlines()
    assert calls[0] == "--stanza=main --type=incr backup"
    assert "--set=20261203-101500F_20261203-111500I verify" in calls[-1]
    restore_refused = services.backup_restore(run=run, acting_user=None)
    assert restore_refused.status == "failed" and "pgbackrest --stanza=main" in restore_refused.error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_place_restore_on_postgres(policy, component, make_user):
    from backups.models import BackupRun
    from marketplace_ops.models import Component

    admin = make_user("root", superuser=True)
    component("api-portal")
    run = services.backup_run_start(policy=policy(), acting_user=admin)
    assert run.status == "verified"
    Component.objects.filter(slug="api-portal").delete()
    restore = services.backup_restore(run=run, acting_user=admin, in_place=True,
                                      confirm=services.in_place_name(run))
    assert restore.status == "succeeded", restore.error
    assert Component.objects.filter(slug="api-portal").exists()
    assert BackupRun.objects.get(pk=restore.safety_run_id).trigger == "safety"
    assert services.backup_run_start(policy=run.policy, acting_user=admin).status == "verified"
