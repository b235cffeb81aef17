import pytest
from django.core.exceptions import ValidationError

from configuration.models import ConfigSchema
from configuration.validators import parse_json_text, register_validator, validate_value

pytestmark = pytest.mark.django_db


def _messages(**kwargs):
    with pytest.raises(ValidationError) as exc:
        validate_value(**kwargs)
    return exc.value.message_dict["value"]


def test_json_syntax_error_names_line_and_column():
    with pytest.raises(ValidationError) as exc:
        parse_json_text('{"a": 1,\n "b": [1, 2,]\n}')
    assert exc.value.message_dict["value"] == ["Invalid JSON at line 2, column 13: Expecting value."]


def test_schema_per_key_pattern_with_path_in_message():
    ConfigSchema.objects.create(key_pattern="gateway.routes*", schema={
        "type": "object", "properties": {"timeout": {"type": "integer", "maximum": 60}}, "required": ["timeout"]})
    assert _messages(key="gateway.routes.v1", environment="staging", value={"timeout": 90}) == [
        "Schema 'gateway.routes*' $.timeout: 90 is greater than the maximum of 60"]
    assert _messages(key="gateway.routes", environment="staging", value={}) == [
        "Schema 'gateway.routes*' $: 'timeout' is a required property"]
    validate_value(key="gateway.routes", environment="staging", value={"timeout": 5})
    validate_value(key="other.key", environment="staging", value={"timeout": 90})  # pattern does not match


def test_schema_message_for_a_secret_does_not_quote_it():
    ConfigSchema.objects.create(key_pattern="gateway.jwt.*", schema={"type": "string", "minLength": 40})
    messages = _messages(key="gateway.jwt.signing_secret", environment="staging", value="short-secret-xyz",
                         sensitive=True)
    assert messages == ["Schema 'gateway.jwt.*' $: does not satisfy the schema's 'minLength' rule."]


def test_invalid_schema_is_refused_in_admin_clean():
    schema = ConfigSchema(key_pattern="x.*", schema={"type": "nonsense"})
    with pytest.raises(ValidationError, match="Not a valid JSON Schema"):
        schema.full_clean()


@pytest.mark.parametrize("value", [0, -1, 100001, "10", 1.5, True, None])
def test_rate_limit_must_be_positive_integer_up_to_100000(value):
    assert _messages(key="gateway.rate_limit.default", environment="staging", value=value) == [
        "gateway.rate_limit.default must be a positive integer ≤ 100,000."]


def test_rate_limit_bounds_accepted():
    for value in (1, 100000):
        validate_value(key="gateway.rate_limit.default", environment="production", value=value)


def test_url_must_be_https_in_production_only():
    assert _messages(key="gateway.upstream.url", environment="production", value="http://up.example") == [
        "gateway.upstream.url must use https in production."]
    validate_value(key="gateway.upstream.url", environment="staging", value="http://up.example")
    assert _messages(key="billing.callback_url", environment="staging", value="not a url") == [
        "billing.callback_url must be an absolute http(s) URL."]


def test_key_format_is_validated():
    with pytest.raises(ValidationError, match="is not a valid key"):
        validate_value(key="Gateway Rate", environment="staging", value=1)


def test_registered_validator_runs_for_its_pattern_only():
    def even(key, value, environment):
        if value % 2:
            raise ValidationError(f"{key} must be even.")

    register_validator("test.even.*", even)
    assert _messages(key="test.even.n", environment="staging", value=3) == ["test.even.n must be even."]
    validate_value(key="test.odd.n", environment="staging", value=3)
