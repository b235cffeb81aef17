"""Admin forms of the incidents area (the FSM buttons come from the kernel)."""

from django import forms

from marketplace_ops.admin.fsm import REFUSALS, ServiceFSMAdminMixin, error_text

__all__ = ["REFUSALS", "ReasonForm", "ResolveForm", "ServiceFSMAdminMixin", "error_text"]


class ResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What fixed it.")
    message = forms.CharField(required=False, label="Timeline note")


class ReasonForm(forms.Form):
    message = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 3}))
