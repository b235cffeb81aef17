from django import forms

from marketplace_ops.registry import registry


class EventTypesField(forms.MultipleChoiceField):
    """Pick event types from the registry; stored as a JSON list (empty = all events)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=registry.event_type_choices, **kwargs)

    def prepare_value(self, value):
        return value or []

    def clean(self, value):
        return list(super().clean(value) or [])
