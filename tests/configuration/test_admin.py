import pytest
from django.urls import reverse

from configuration import services
from configuration.models import ChangeSet, ConfigSchema, ConfigurationItem

pytestmark = pytest.mark.django_db


def _change_url(item):
    return reverse("admin:configuration_configurationitem_change", args=[item.pk])


def _post(client, item, **data):
    payload = {"sensitive": "", "description": item.description, "value_text": "", "secret_value": "",
               "reason": "tuning", "base_version": item.version}
    payload.update(data)
    payload = {k: v for k, v in payload.items() if not (k == "sensitive" and not v)}
    return client.post(_change_url(item), payload)


def test_stale_form_keeps_input_and_names_who(client, people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    client.force_login(people.author)
    assert client.get(_change_url(item)).status_code == 200
    services.config_item_set(environment="staging", key=item.key, value=300, base_version=1, reason="r",
                             acting_user=people.operator)
    response = _post(client, item, value_text="4242", base_version=1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed to v2 by omar at" in page and "since you opened it" in page
    assert "4242" in page and "tuning" in page
    item.refresh_from_db()
    assert item.value == 300


def test_invalid_json_shows_line_and_column(client, people, seed_item):
    item = seed_item("staging", "gateway.routes", {"/a": "x"})
    client.force_login(people.author)
    response = _post(client, item, value_text='{\n  "/a": "x",\n  "/b" "y"\n}')
    assert response.status_code == 200
    assert "Invalid JSON at line 3, column 8" in response.content.decode()


def test_schema_and_semantic_errors_are_field_errors(client, people, seed_item):
    ConfigSchema.objects.create(key_pattern="gateway.routes", schema={
        "type": "object", "additionalProperties": {"type": "string"}})
    routes = seed_item("staging", "gateway.routes", {"/a": "x"})
    client.force_login(people.author)
    page = _post(client, routes, value_text='{"/a": 5}').content.decode()
    assert "Schema &#x27;gateway.routes&#x27; $./a: 5 is not of type &#x27;string&#x27;" in page
    limit = seed_item("staging", "gateway.rate_limit.default", 10)
    page = _post(client, limit, value_text="250000").content.decode()
    assert "gateway.rate_limit.default must be a positive integer ≤ 100,000." in page
    assert ConfigurationItem.objects.get(pk=limit.pk).value == 10


def test_production_edit_opens_change_set(client, people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    client.force_login(people.author)
    response = _post(client, item, value_text="120")
    cs = ChangeSet.objects.latest("id")
    assert response.status_code == 302 and response["Location"].endswith(f"/changeset/{cs.pk}/change/")
    assert cs.state == "pending_approval" and cs.author == people.author
    item.refresh_from_db()
    assert item.value == 100
    page = client.get(response["Location"]).content.decode()
    assert "awaits approval by someone else" in page


def test_change_set_screens_approve_and_apply(client, people, seed_item):
    item = seed_item("production", "gateway.rate_limit.default", 100)
    cs = services.config_item_set(environment="production", key=item.key, value=120, base_version=item.version,
                                  reason="r", acting_user=people.author).change_set
    client.force_login(people.author)
    client.post(reverse("admin:configuration_changeset_action", args=[cs.pk, "approve"]))
    cs.refresh_from_db()
    assert cs.state == "pending_approval"
    client.force_login(people.approver)
    client.post(reverse("admin:configuration_changeset_action", args=[cs.pk, "approve"]), {"comment": "ok"})
    client.force_login(people.operator)
    client.post(reverse("admin:configuration_changeset_action", args=[cs.pk, "apply"]))
    response = client.post(reverse("admin:configuration_changeset_action", args=[cs.pk, "apply"]), follow=True)
    assert "already applied" in response.content.decode()
    item.refresh_from_db()
    assert item.value == 120


def test_versions_diff_and_rollback_screens(client, people, seed_item):
    item = seed_item("staging", "gateway.routes", {"/a": "x", "/b": "y"})
    item = seed_item("staging", "gateway.routes", {"/a": "x", "/b": "z", "/c": "w"})
    client.force_login(people.author)
    page = client.get(reverse("admin:configuration_item_versions", args=[item.pk])).content.decode()
    assert "roll back to v1" in page
    diff = client.get(reverse("admin:configuration_item_diff", args=[item.pk]) + "?a=1&b=2").content.decode()
    assert "$./b" in diff and "changed" in diff and "$./c" in diff and "added" in diff
    client.post(reverse("admin:configuration_item_rollback", args=[item.pk, 1]), {"reason": "rollback to v1"})
    item.refresh_from_db()
    assert item.value == {"/a": "x", "/b": "y"} and item.version == 3


def test_compare_and_promote(client, people, seed_item):
    seed_item("staging", "gateway.rate_limit.default", 700)
    seed_item("production", "gateway.rate_limit.default", 100)
    seed_item("staging", "gateway.timeout_seconds", 30)
    seed_item("production", "gateway.timeout_seconds", 30)
    seed_item("staging", "gateway.rate_limit.burst", 5)
    client.force_login(people.author)
    url = reverse("admin:configuration_compare") + "?left=staging&right=production"
    page = client.get(url).content.decode()
    assert "Different (1)" in page and "Only in staging (1)" in page and "Equal (1)" in page
    response = client.post(url, {"left": "staging", "right": "production", "reason": "promote",
                                 "keys": ["gateway.rate_limit.default", "gateway.rate_limit.burst"]})
    cs = ChangeSet.objects.latest("id")
    assert response.status_code == 302 and cs.kind == "promotion" and cs.operations.count() == 2


def test_changelist_has_no_per_row_queries(client, people, seed_item, django_assert_max_num_queries):
    for i in range(15):
        seed_item("staging", f"gateway.rate_limit.k{i}", i + 1)
    client.force_login(people.author)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("admin:configuration_configurationitem_changelist")).status_code == 200


def test_change_set_by_hand_then_edit_revokes_approval(client, people, seed_item):
    import json

    item = seed_item("production", "gateway.rate_limit.default", 100)
    client.force_login(people.author)
    bad = client.post(reverse("admin:configuration_changeset_new"), {
        "environment": "production", "title": "t", "reason": "r",
        "operations": json.dumps([{"key": item.key, "value": 0, "base_version": item.version}])})
    assert bad.status_code == 200 and "positive integer" in bad.content.decode()
    syntax = client.post(reverse("admin:configuration_changeset_new"), {
        "environment": "production", "title": "t", "reason": "r", "operations": '[{"key": "a.b"'})
    assert "Invalid JSON at line 1, column 15" in syntax.content.decode()
    assert "&quot;value&quot;: 0" in bad.content.decode()  # input kept
    ok = client.post(reverse("admin:configuration_changeset_new"), {
        "environment": "production", "title": "t", "reason": "r",
        "operations": json.dumps([{"key": item.key, "value": 500, "base_version": item.version}])})
    cs = ChangeSet.objects.latest("id")
    assert ok.status_code == 302 and cs.state == "draft"
    client.post(reverse("admin:configuration_changeset_action", args=[cs.pk, "submit"]))
    services.config_changeset_approve(change_set=cs, acting_user=people.approver)
    cs.refresh_from_db()
    assert cs.state == "approved"
    client.post(reverse("admin:configuration_changeset_edit", args=[cs.pk]), {
        "reason": "bigger", "operations": json.dumps([{"key": item.key, "value": 900, "base_version": item.version}])})
    cs.refresh_from_db()
    assert cs.state == "pending_approval"
    page = client.get(reverse("admin:configuration_changeset_change", args=[cs.pk])).content.decode()
    assert "0 of 1 needed" in page


def test_secret_cannot_be_typed_into_hand_change_set(client, people, seed_item):
    import json

    seed_item("staging", "gateway.upstream.api_key", "hand-secret-1", sensitive=True)
    client.force_login(people.author)
    response = client.post(reverse("admin:configuration_changeset_new"), {
        "environment": "staging", "title": "t", "reason": "r",
        "operations": json.dumps([{"key": "gateway.upstream.api_key", "value": "typed-secret-9", "base_version": 1}])})
    assert "Sensitive keys cannot be set here" in response.content.decode()
    assert "typed-secret-9" not in response.content.decode()


def test_admin_edit_history_has_user_ip_and_reason(client, people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    client.force_login(people.author)
    response = client.post(_change_url(item), {"value_text": "150", "reason": "partner launch",
                                               "base_version": 1, "description": ""}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    row = ConfigurationItem.history.filter(key=item.key).latest()
    assert (row.value, row.history_user, row.ip_address) == (150, people.author, "10.1.2.3")
    assert row.history_change_reason.startswith("partner launch")


def test_missing_reason_is_a_field_error_and_nothing_saved(client, people, seed_item):
    item = seed_item("staging", "gateway.rate_limit.default", 100)
    client.force_login(people.author)
    response = client.post(_change_url(item), {"value_text": "150", "reason": "", "base_version": 1})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    item.refresh_from_db()
    assert item.version == 1


def test_view_only_user_sees_item_and_change_set_pages(client, people, seed_item):
    item = seed_item("production", "gateway.upstream.api_key", "view-only-secret", sensitive=True)
    cs = services.config_item_set(environment="production", key=item.key, value="next-secret", base_version=1,
                                  reason="r", acting_user=people.author).change_set
    client.force_login(people.viewer)
    for url in (_change_url(item), reverse("admin:configuration_changeset_change", args=[cs.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "view-only-secret" not in response.content.decode() and "next-secret" not in response.content.decode()


def test_schema_admin_reports_json_position_and_invalid_schema(client, make_user):
    admin_user = make_user("root", superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:configuration_configschema_add")
    page = client.post(url, {"key_pattern": "gateway.x.*", "schema": '{"type": "object",}'}).content.decode()
    assert "Invalid JSON at line 1, column 19" in page
    page = client.post(url, {"key_pattern": "gateway.x.*", "schema": '{"type": "nonsense"}'}).content.decode()
    assert "Not a valid JSON Schema" in page
    assert client.post(url, {"key_pattern": "gateway.x.*", "schema": '{"type": "integer"}'}).status_code == 302
    assert ConfigSchema.objects.get(key_pattern="gateway.x.*").history.latest().history_user == admin_user
