"""Admin building blocks of the releases area (the FSM buttons come from the kernel)."""

from django import forms
from django.core.exceptions import ValidationError

from marketplace_ops.admin.fsm import ServiceFSMAdminMixin, error_text

__all__ = ["ServiceFSMAdminMixin", "StaleFormMixin", "error_text"]


class StaleFormMixin(forms.ModelForm):
    """Refuses a save when the row changed after the form was opened (two people editing)."""

    loaded_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # also when bound, so an unchanged form has no changed_data
            self.fields["loaded_updated_at"].initial = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_updated_at")
        if self.instance.pk and loaded:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).first()
            if current and current.isoformat() != loaded:
                raise ValidationError(
                    f"This record was changed by someone else at {current:%Y-%m-%d %H:%M:%S} UTC after you opened "
                    "it. Nothing was saved: reload the page and apply your edits again."
                )
        return cleaned
