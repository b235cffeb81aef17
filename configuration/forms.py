"""Admin forms. A secret is typed into a password field that is never rendered back."""

import json

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from configuration import services
from configuration.choices import Environment
from configuration.models import KEY_HELP, ConfigSchema, ConfigurationItem, Subscriber
from configuration.validators import parse_json_text


class JsonTextarea(forms.Textarea):
    def __init__(self, attrs=None):
        base = {"rows": 10, "cols": 80, "spellcheck": "false", "style": "font-family: monospace;"}
        super().__init__({**base, **(attrs or {})})


class ConfigurationItemForm(forms.ModelForm):
    """Create/edit through the service: validation for the target environment, optimistic
    concurrency on `base_version`, approval path where the environment needs one."""

    value_text = forms.CharField(label="Value (JSON)", required=False, widget=JsonTextarea,
                                 help_text='JSON: 1000, "text", true, {"a": 1}, [1, 2].')
    secret_value = forms.CharField(
        label="New secret value", required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="For sensitive items. Never shown again; leave blank to keep the current secret. "
                  "JSON is accepted; anything else is stored as a string.",
    )
    reason = forms.CharField(label="Reason for this change", widget=forms.TextInput(attrs={"size": 80}))
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ConfigurationItem
        fields = ["key", "environment", "sensitive", "description"]
        help_texts = {"key": KEY_HELP}

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        self.result = None
        item = self.instance if self.instance.pk else None
        self.fields["base_version"].initial = item.version if item else 0
        if item is not None:
            for name in ("key", "environment"):
                if name in self.fields:
                    self.fields[name].disabled = True
            if not item.sensitive:
                self.fields["value_text"].initial = json.dumps(item.value, indent=2, ensure_ascii=False)
            else:
                self.fields["value_text"].help_text = "Sensitive item: use the secret field below."

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors and self.data.get(self.add_prefix("sensitive")):
            # Never echo a value typed for a sensitive item back into the page.
            data = self.data.copy()
            data[self.add_prefix("value_text")] = ""
            data[self.add_prefix("secret_value")] = ""
            self.data = data

    def _value(self, item, sensitive):
        secret = self.cleaned_data.get("secret_value") or ""
        text = self.cleaned_data.get("value_text") or ""
        if sensitive:
            if secret:
                try:
                    return parse_json_text(secret), ""
                except ValidationError:
                    return secret, ""
            if text.strip():
                return parse_json_text(text, field="value_text"), ""
            if item is not None and item.sensitive:
                return None, item.ciphertext  # keep the stored secret (e.g. editing the description)
            raise ValidationError({"secret_value": "Enter the secret value."})
        if not text.strip():
            if item is not None and item.sensitive:
                raise ValidationError({"value_text": "Turning 'sensitive' off needs the value to store in clear."})
            raise ValidationError({"value_text": "Enter a JSON value."})
        return parse_json_text(text, field="value_text"), ""

    def _post_clean(self):
        super()._post_clean()  # model validation first: nothing is written unless the form is valid
        if self.errors:
            return
        try:
            self._write(self.cleaned_data)
        except ValidationError as exc:
            self._update_errors(exc)

    def _write(self, cleaned):
        item = self.instance if self.instance.pk else None
        key = item.key if item else cleaned.get("key")
        env = item.environment if item else cleaned.get("environment")
        if item is None and ConfigurationItem.objects.filter(key=key, environment=env).exists():
            raise ValidationError({"key": f"{key} already exists in {env}; edit that item instead."})
        sensitive = cleaned.get("sensitive", False)
        try:
            value, ciphertext = self._value(item, sensitive)
            self.result = services.config_item_set(
                environment=env, key=key, value=value, ciphertext=ciphertext, base_version=cleaned["base_version"],
                reason=cleaned["reason"], acting_user=self.acting_user, sensitive=sensitive,
                description=cleaned.get("description", ""),
            )
        except services.StaleVersionError as exc:
            raise ValidationError([c["message"] + " Your input is kept below; review and save again." for c in exc.conflicts])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                mapped = {}
                for field, errors in exc.error_dict.items():
                    valueish = field in ("value", "value_text") or field.startswith("operations")
                    target = ("secret_value" if sensitive else "value_text") if valueish else field
                    target = target if target in self.fields else None
                    mapped.setdefault(target, []).extend(e for err in errors for e in err.messages)
                raise ValidationError({k or "__all__": v for k, v in mapped.items()})
            raise
        except PermissionDenied as exc:
            raise ValidationError(str(exc))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.TextInput(attrs={"size": 80}))


class ApproveForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.TextInput(attrs={"size": 80}))


class SubscriberForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    secret = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False),
        help_text="Signing secret for the X-Config-Signature header; blank keeps the current one.",
    )

    class Meta:
        model = Subscriber
        fields = ["name", "url", "environment", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("secret"):
            self.add_error("secret", "A signing secret is required.")
        return cleaned


class ChangeSetForm(forms.Form):
    """A change set by hand: operations as JSON, e.g.
    [{"key": "gateway.rate_limit.default", "op": "set", "value": 1500, "base_version": 3}]."""

    environment = forms.ChoiceField(choices=Environment.choices)
    title = forms.CharField(max_length=200)
    reason = forms.CharField(widget=forms.TextInput(attrs={"size": 80}))
    operations = forms.CharField(widget=JsonTextarea, help_text=(
        'A JSON list of {"key", "op": "set"|"delete", "value", "base_version"}. Secrets cannot be typed here: '
        "edit the item (its secret field is never shown back)."))

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            self.fields["environment"].disabled = True
            self.fields["title"].disabled = True

    drop_operations_text = False

    def full_clean(self):
        super().full_clean()
        if self.drop_operations_text:
            data = self.data.copy()
            data["operations"] = ""
            self.data = data

    def clean_operations(self):
        try:
            data = parse_json_text(self.cleaned_data["operations"], field="operations")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["operations"])
        if not isinstance(data, list) or not all(isinstance(o, dict) and "key" in o for o in data):
            raise ValidationError('Expected a list of objects with at least a "key".')
        env = self.editing.environment if self.editing else self.data.get("environment")
        secret_keys = set(ConfigurationItem.objects.filter(environment=env, sensitive=True,
                                                           key__in=[o["key"] for o in data]).values_list("key", flat=True))
        bad = sorted({o["key"] for o in data if o.get("sensitive") and o.get("op", "set") == "set"} |
                     {o["key"] for o in data if o["key"] in secret_keys and o.get("op", "set") == "set"})
        if bad:
            self.drop_operations_text = True
            raise ValidationError(f"Sensitive keys cannot be set here: {', '.join(bad)}. Edit the item instead "
                                  "(what you typed was not kept, in case it held a secret).")
        for o in data:
            o.setdefault("base_version", 0)
            if not isinstance(o["base_version"], int):
                raise ValidationError(f"{o['key']}: base_version must be an integer.")
        return data


class ConfigSchemaForm(forms.ModelForm):
    """The schema as JSON text: syntax errors name line and column."""

    schema = forms.CharField(widget=JsonTextarea, help_text="A JSON Schema, draft 2020-12.")

    class Meta:
        model = ConfigSchema
        fields = ["key_pattern", "schema", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["schema"] = json.dumps(self.instance.schema, indent=2, ensure_ascii=False)

    def clean_schema(self):
        try:
            return parse_json_text(self.cleaned_data["schema"], field="schema")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["schema"])
