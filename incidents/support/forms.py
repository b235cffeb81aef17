from django import forms

from incidents.support.choices import Severity, Tier
from incidents.support.models import KnowledgeArticle
from incidents.support.selectors import known_issues

SEVERITY_HELP = {
    Severity.CRITICAL: "Critical — the API is unavailable or severely impacted",
    Severity.HIGH: "High — significant impact, no workaround",
    Severity.MEDIUM: "Medium — limited impact, a workaround exists",
    Severity.LOW: "Low — minimal impact or cosmetic",
}


class PortalTicketForm(forms.Form):
    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Email", help_text="We send your private ticket link here.")
    organisation = forms.CharField(max_length=200, required=False)
    severity = forms.ChoiceField(choices=[(k.value, v) for k, v in SEVERITY_HELP.items()], initial=Severity.MEDIUM)
    subject = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), max_length=20000,
        help_text="What happened, which API and endpoint, when, request ids if you have them.",
    )


class ResendLinkForm(forms.Form):
    email = forms.EmailField(label="The email address you opened the ticket with")


class RequesterReplyForm(forms.Form):
    body = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 5}), max_length=20000)


# --- admin forms ---

class EscalateForm(forms.Form):
    to_tier = forms.ChoiceField(choices=[(Tier.L2.value, "L2"), (Tier.L3.value, "L3")], label="Escalate to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), help_text="What was tried and why the next tier is needed.")


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Message")
    internal = forms.BooleanField(required=False, label="Internal note (not sent to the requester)")
    wait_on_customer = forms.BooleanField(required=False, label="Wait on the customer (pauses the resolution clock)")


class WaitForm(forms.Form):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="What do you need from the customer?")


class ResolveForm(forms.Form):
    resolution = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    article = forms.ModelChoiceField(
        queryset=KnowledgeArticle.objects.none(), required=False, label="Known-issue article",
        help_text="Resolve with a known issue: the requester gets its summary and link.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = known_issues()


class IncidentOpenForm(forms.Form):
    title = forms.CharField(max_length=200, required=False, help_text="Defaults to the ticket's subject.")
    severity = forms.ChoiceField(choices=Severity.choices)
    components = forms.ModelMultipleChoiceField(queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        from marketplace_ops.models import Component

        super().__init__(*args, **kwargs)
        self.fields["components"].queryset = Component.objects.all()


class IncidentJoinForm(forms.Form):
    incident_id = forms.IntegerField(min_value=1, label="Incident number")
