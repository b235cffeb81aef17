import json

import pytest
from django.core.management import CommandError, call_command

from configuration import crypto, services
from configuration.models import ChangeSet, ConfigurationItem
from marketplace_ops.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_export_leaves_secrets_out_unless_asked(seed_item, tmp_path, capsys):
    seed_item("production", "gateway.rate_limit.default", 100)
    seed_item("production", "gateway.upstream.api_key", "export-canary-77", sensitive=True)
    call_command("config_export", "--environment", "production")
    out = capsys.readouterr().out
    data = json.loads(out)
    assert "export-canary-77" not in out
    secret = next(i for i in data["items"] if i["key"] == "gateway.upstream.api_key")
    assert secret["sensitive"] and "value" not in secret
    call_command("config_export", "--environment", "production", "--include-secrets",
                 "--output", str(tmp_path / "x.json"))
    assert "export-canary-77" in (tmp_path / "x.json").read_text()
    assert AuditEvent.objects.filter(event_type="configuration.export_with_secrets").count() == 1


def test_import_with_one_bad_entry_among_500_changes_nothing(seed_item, tmp_path, capsys, people):
    seed_item("staging", "gateway.rate_limit.default", 1)
    entries = {f"gateway.rate_limit.k{i}": i + 1 for i in range(499)}
    entries["gateway.rate_limit.k250"] = -1  # the bad one (replaces a good one)
    entries["gateway.upstream.url"] = "https://ok.example"
    path = tmp_path / "import.json"
    path.write_text(json.dumps(entries))
    with pytest.raises(CommandError, match="1 error"):
        call_command("config_import", str(path), "--environment", "staging")
    err = capsys.readouterr().err
    assert "gateway.rate_limit.k250" in err and "positive integer" in err
    assert ConfigurationItem.objects.filter(environment="staging").count() == 1
    assert ChangeSet.objects.filter(kind="import").count() == 0
    entries["gateway.rate_limit.k250"] = 5
    path.write_text(json.dumps(entries))
    call_command("config_import", str(path), "--environment", "staging", "--reason", "bulk")
    cs = ChangeSet.objects.get(kind="import")
    assert cs.operations.count() == 500 and cs.state == "approved"  # staging needs no approval
    services.config_changeset_apply(change_set=cs, acting_user=people.operator)
    assert ConfigurationItem.objects.filter(environment="staging").count() == 501


def test_import_reports_json_syntax_position(tmp_path, capsys, db):
    path = tmp_path / "bad.json"
    path.write_text('{\n "a.b": 1,\n "a.c": }')
    with pytest.raises(CommandError):
        call_command("config_import", str(path), "--environment", "staging")
    assert "Invalid JSON at line 3, column 9" in capsys.readouterr().err


def test_unknown_environment_is_a_clear_error(db):
    with pytest.raises(CommandError, match="Unknown environment 'prod'"):
        call_command("config_export", "--environment", "prod")


def test_rotate_keys_reencrypts_and_old_key_can_go(settings, seed_item, people):
    from cryptography.fernet import Fernet

    old = settings.CONFIG_ENCRYPTION_KEYS[0]
    item = seed_item("staging", "gateway.upstream.api_key", "rotate-me-1", sensitive=True)
    seed_item("staging", "gateway.upstream.api_key", "rotate-me-2", sensitive=True)
    new = Fernet.generate_key().decode()
    settings.CONFIG_ENCRYPTION_KEYS = [new, old]
    call_command("config_rotate_keys")
    settings.CONFIG_ENCRYPTION_KEYS = [new]
    item.refresh_from_db()
    assert services.config_item_reveal(item=item, acting_user=people.approver) == "rotate-me-2"
    for row in item.history.exclude(history_type="-"):
        assert crypto.decrypt_value(row.ciphertext) in ("rotate-me-1", "rotate-me-2")
        assert row.value_hmac == crypto.value_hmac(crypto.decrypt_value(row.ciphertext))
    item.refresh_from_db()
    services.config_item_rollback(item=item, to_version=1, acting_user=people.author)
    item.refresh_from_db()
    assert services.config_item_reveal(item=item, acting_user=people.approver) == "rotate-me-1"
