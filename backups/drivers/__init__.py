"""Drivers, chosen by target and database engine."""

from django.db import connections

from backups.drivers.base import BackupResult, Driver, DriverError, RestoreResult, VerificationMismatch

__all__ = ["BackupResult", "Driver", "DriverError", "RestoreResult", "VerificationMismatch", "driver_for",
           "unsupported_reason"]


def driver_for(target: str, backup_type: str = "full", *, tool_options: dict | None = None) -> Driver:
    if target == "database":
        vendor = connections["default"].vendor
        if vendor == "postgresql":
            if backup_type != "full":
                from backups.drivers.pgbackrest import PgBackRestDriver

                return PgBackRestDriver()
            from backups.drivers.postgres import PostgresDriver

            return PostgresDriver()
        if vendor == "sqlite":
            from backups.drivers.sqlite import SqliteDriver

            return SqliteDriver()
        raise DriverError(f"no backup driver for the {vendor} database engine")
    if target == "configuration":
        from backups.drivers.configuration import ConfigurationDriver

        return ConfigurationDriver()
    if target == "media":
        from backups.drivers.media import MediaDriver

        return MediaDriver()
    raise DriverError(f"no backup driver for target {target!r}")


def unsupported_reason(target: str, backup_type: str, *, tool_options: dict | None = None) -> str | None:
    """Why a policy of this target and type cannot run here, or None when it can."""
    try:
        driver = driver_for(target, backup_type, tool_options=tool_options)
    except DriverError as exc:
        return str(exc)
    return driver.unsupported_reason(backup_type, tool_options=tool_options or {})
