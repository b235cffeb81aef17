"""Admin building blocks shared by every domain."""

from django import forms


class ChangeReasonAdminMixin:
    """Adds "Reason for this change" to the change form and records it in the history row.

    Set `change_reason_required = True` where every change must say why.
    """

    change_reason_required = False
    change_reason_field = "change_reason"

    def get_form(self, request, obj=None, **kwargs):
        base = kwargs.get("form") or self.form
        field = forms.CharField(
            label="Reason for this change",
            required=self.change_reason_required,
            max_length=500,
            widget=forms.TextInput(attrs={"size": 80}),
            help_text="Kept in the history with your name and IP address.",
        )
        kwargs["form"] = type(f"{base.__name__}WithReason", (base,), {self.change_reason_field: field})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        name = self.change_reason_field
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [f for f in options.get("fields", ()) if f != name]
            fieldsets.append((title, {**options, "fields": fields}))
        return [*fieldsets, ("Why", {"fields": [name]})]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get(self.change_reason_field)
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)
